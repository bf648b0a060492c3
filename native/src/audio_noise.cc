// audio_noise: raw samples from an ALSA capture device. The least significant bits of an ADC's output
// carry the thermal/shot noise of the preamplifier and converter even with nothing plugged in.
//
// alsa-lib is loaded at run time with dlopen("libasound.so.2") and the dozen functions used here are
// declared below with opaque pointer types, so building oe needs no ALSA headers and a machine without
// libasound2 only loses this source (the probe says why). The PCM is $OE_ALSA_PCM when set (any ALSA
// PCM name: "hw:1,0", "plughw:0", a name from an asoundrc), else the first hardware capture device
// (/dev/snd/pcmC<card>D<dev>c -> "hw:<card>,<dev>").
//
// Each batch opens the PCM (non-blocking, so a busy device fails instead of hanging), negotiates
// interleaved access, the device's own channel minimum (channel 0 is kept), a native integer format
// (S16_LE, then S32_LE, S24_LE, S24_3LE: no plug conversion on hw:), params.rate (default 48000) without
// resampling, discards params.settleMs (default 50) of frames while the converter's filters settle, then
// reads with snd_pcm_wait slices of at most 20 ms so ctx.stop() is honoured, recovers overruns with
// snd_pcm_recover, and closes the PCM again (RAII) on every path. Opening per batch keeps no device held
// between batches (another program, or oe's own probe, can use it) at the cost of the settle time.
//
// One measurement = channel 0 of one frame as a signed integer, shifted right so that its least
// significant bit is the converter's (snd_pcm_hw_params_get_sbits: a 24-bit codec delivering S32_LE has
// 8 always-zero low bits, which would otherwise make the low byte constant).
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <algorithm>
#include <string>
#include <vector>

#include "oe.h"

namespace {

// --- the slice of alsa-lib's API used here (ABI as in <alsa/asoundlib.h>, alsa-lib 1.x) ----------
struct snd_pcm_t;
struct snd_pcm_hw_params_t;
using snd_pcm_uframes_t = unsigned long;
using snd_pcm_sframes_t = long;
using snd_lib_error_handler_t = void (*)(const char* file, int line, const char* function, int err, const char* fmt,
                                         ...);
constexpr int SND_PCM_STREAM_CAPTURE = 1;
constexpr int SND_PCM_NONBLOCK = 1;
constexpr int SND_PCM_ACCESS_RW_INTERLEAVED = 3;
constexpr int SND_PCM_FORMAT_S16_LE = 2;
constexpr int SND_PCM_FORMAT_S24_LE = 6;
constexpr int SND_PCM_FORMAT_S32_LE = 10;
constexpr int SND_PCM_FORMAT_S24_3LE = 32;

struct Alsa {
  std::string error;  // why libasound could not be used; "" when it can
  int (*open)(snd_pcm_t**, const char*, int, int) = nullptr;
  int (*close)(snd_pcm_t*) = nullptr;
  const char* (*strerror)(int) = nullptr;
  int (*setErrorHandler)(snd_lib_error_handler_t) = nullptr;
  int (*hwMalloc)(snd_pcm_hw_params_t**) = nullptr;
  void (*hwFree)(snd_pcm_hw_params_t*) = nullptr;
  int (*hwAny)(snd_pcm_t*, snd_pcm_hw_params_t*) = nullptr;
  int (*hwSetAccess)(snd_pcm_t*, snd_pcm_hw_params_t*, int) = nullptr;
  int (*hwTestFormat)(snd_pcm_t*, snd_pcm_hw_params_t*, int) = nullptr;
  int (*hwSetFormat)(snd_pcm_t*, snd_pcm_hw_params_t*, int) = nullptr;
  int (*hwGetChannelsMin)(const snd_pcm_hw_params_t*, unsigned*) = nullptr;
  int (*hwSetChannels)(snd_pcm_t*, snd_pcm_hw_params_t*, unsigned) = nullptr;
  int (*hwSetRateResample)(snd_pcm_t*, snd_pcm_hw_params_t*, unsigned) = nullptr;
  int (*hwSetRateNear)(snd_pcm_t*, snd_pcm_hw_params_t*, unsigned*, int*) = nullptr;
  int (*hwSetPeriodTimeNear)(snd_pcm_t*, snd_pcm_hw_params_t*, unsigned*, int*) = nullptr;
  int (*hwSetBufferTimeNear)(snd_pcm_t*, snd_pcm_hw_params_t*, unsigned*, int*) = nullptr;
  int (*hwInstall)(snd_pcm_t*, snd_pcm_hw_params_t*) = nullptr;
  int (*hwGetSbits)(const snd_pcm_hw_params_t*) = nullptr;
  int (*hwGetPeriodSize)(const snd_pcm_hw_params_t*, snd_pcm_uframes_t*, int*) = nullptr;
  int (*hwGetRate)(const snd_pcm_hw_params_t*, unsigned*, int*) = nullptr;
  snd_pcm_sframes_t (*readi)(snd_pcm_t*, void*, snd_pcm_uframes_t) = nullptr;
  int (*wait)(snd_pcm_t*, int) = nullptr;
  int (*recover)(snd_pcm_t*, int, int) = nullptr;
  int (*start)(snd_pcm_t*) = nullptr;
  int (*drop)(snd_pcm_t*) = nullptr;
};

// alsa-lib reports details ("Unknown PCM foo") through its error handler, by default onto stderr. oe
// keeps the last message of the calling thread instead and puts it into the reason.
thread_local std::string lastAlsaMessage;
void errorHandler(const char*, int, const char*, int, const char* fmt, ...) {
  char buf[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  lastAlsaMessage = buf;
}

template <typename F>
bool bind(void* lib, const char* symbol, F& fn, std::string& error) {
  fn = reinterpret_cast<F>(dlsym(lib, symbol));
  if (!fn && error.empty()) error = std::string("libasound.so.2 lacks ") + symbol;
  return fn != nullptr;
}

// Loaded once per process and never unloaded (thread-safe static initialisation).
const Alsa& alsa() {
  static const Alsa a = [] {
    Alsa r;
    void* lib = dlopen("libasound.so.2", RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
      const char* e = dlerror();
      r.error = std::string("libasound.so.2 cannot be loaded (") + (e ? e : "unknown error") +
                "): install alsa-lib (Debian/Ubuntu: libasound2)";
      return r;
    }
    std::string& e = r.error;
    bind(lib, "snd_pcm_open", r.open, e);
    bind(lib, "snd_pcm_close", r.close, e);
    bind(lib, "snd_strerror", r.strerror, e);
    bind(lib, "snd_lib_error_set_handler", r.setErrorHandler, e);
    bind(lib, "snd_pcm_hw_params_malloc", r.hwMalloc, e);
    bind(lib, "snd_pcm_hw_params_free", r.hwFree, e);
    bind(lib, "snd_pcm_hw_params_any", r.hwAny, e);
    bind(lib, "snd_pcm_hw_params_set_access", r.hwSetAccess, e);
    bind(lib, "snd_pcm_hw_params_test_format", r.hwTestFormat, e);
    bind(lib, "snd_pcm_hw_params_set_format", r.hwSetFormat, e);
    bind(lib, "snd_pcm_hw_params_get_channels_min", r.hwGetChannelsMin, e);
    bind(lib, "snd_pcm_hw_params_set_channels", r.hwSetChannels, e);
    bind(lib, "snd_pcm_hw_params_set_rate_resample", r.hwSetRateResample, e);
    bind(lib, "snd_pcm_hw_params_set_rate_near", r.hwSetRateNear, e);
    bind(lib, "snd_pcm_hw_params_set_period_time_near", r.hwSetPeriodTimeNear, e);
    bind(lib, "snd_pcm_hw_params_set_buffer_time_near", r.hwSetBufferTimeNear, e);
    bind(lib, "snd_pcm_hw_params", r.hwInstall, e);
    bind(lib, "snd_pcm_hw_params_get_sbits", r.hwGetSbits, e);
    bind(lib, "snd_pcm_hw_params_get_period_size", r.hwGetPeriodSize, e);
    bind(lib, "snd_pcm_hw_params_get_rate", r.hwGetRate, e);
    bind(lib, "snd_pcm_readi", r.readi, e);
    bind(lib, "snd_pcm_wait", r.wait, e);
    bind(lib, "snd_pcm_recover", r.recover, e);
    bind(lib, "snd_pcm_start", r.start, e);
    bind(lib, "snd_pcm_drop", r.drop, e);
    if (e.empty()) r.setErrorHandler(errorHandler);
    return r;
  }();
  return a;
}

// --- device selection ------------------------------------------------------------------------------
struct CaptureDevice {
  int card, device;
};

// /dev/snd/pcmC<card>D<device>c in numeric order.
std::vector<CaptureDevice> captureDevices() {
  std::vector<CaptureDevice> out;
  DIR* d = opendir("/dev/snd");
  if (!d) return out;
  while (struct dirent* e = readdir(d)) {
    int card, dev;
    char suffix = 0, extra = 0;
    if (sscanf(e->d_name, "pcmC%dD%d%c%c", &card, &dev, &suffix, &extra) == 3 && suffix == 'c')
      out.push_back({card, dev});
  }
  closedir(d);
  std::sort(out.begin(), out.end(),
            [](const CaptureDevice& a, const CaptureDevice& b) { return a.card != b.card ? a.card < b.card : a.device < b.device; });
  return out;
}

// The PCM name to open, or "" with *why set when there is none.
std::string pcmName(std::string* why) {
  const char* env = getenv("OE_ALSA_PCM");
  if (env && *env) return env;
  auto devs = captureDevices();
  if (devs.empty()) {
    *why = "no ALSA capture device (no /dev/snd/pcmC*D*c); set OE_ALSA_PCM to an ALSA PCM name to use another";
    return "";
  }
  return "hw:" + std::to_string(devs[0].card) + "," + std::to_string(devs[0].device);
}

// --- an open, configured capture PCM ---------------------------------------------------------------
struct Format {
  int id;
  const char* name;
  unsigned bytes;      // per sample in memory
  unsigned container;  // bits of the integer the sample is stored in (24 for S24_LE and S24_3LE)
};
constexpr Format kFormats[] = {
    {SND_PCM_FORMAT_S16_LE, "S16_LE", 2, 16},
    {SND_PCM_FORMAT_S32_LE, "S32_LE", 4, 32},
    {SND_PCM_FORMAT_S24_LE, "S24_LE", 4, 24},
    {SND_PCM_FORMAT_S24_3LE, "S24_3LE", 3, 24},
};

struct HwParams {
  const Alsa& a;
  snd_pcm_hw_params_t* p = nullptr;
  explicit HwParams(const Alsa& alsa) : a(alsa) {
    if (a.hwMalloc(&p) < 0) p = nullptr;
  }
  ~HwParams() {
    if (p) a.hwFree(p);
  }
  HwParams(const HwParams&) = delete;
  HwParams& operator=(const HwParams&) = delete;
};

std::string hint(int err) {
  if (err == -EACCES || err == -EPERM) return " (add the user to the audio group)";
  if (err == -EBUSY) return " (another program is using it)";
  return "";
}

struct Pcm {
  const Alsa& a;
  std::string name;
  snd_pcm_t* h = nullptr;
  const Format* format = nullptr;
  unsigned channels = 0, rate = 0, shift = 0;
  snd_pcm_uframes_t period = 0;

  Pcm(const Alsa& alsa, std::string n) : a(alsa), name(std::move(n)) {}
  ~Pcm() {
    if (h) {
      a.drop(h);
      a.close(h);
    }
  }
  Pcm(const Pcm&) = delete;
  Pcm& operator=(const Pcm&) = delete;

  std::string fail(const char* what, int err) const {
    std::string msg = "ALSA PCM \"" + name + "\": " + what + ": " + a.strerror(err) + hint(err);
    if (!lastAlsaMessage.empty()) msg += " [alsa-lib: " + lastAlsaMessage + "]";
    return msg;
  }

  // "" on success, otherwise the reason (the PCM is closed again by the destructor).
  std::string open(unsigned wantRate) {
    lastAlsaMessage.clear();
    int err = a.open(&h, name.c_str(), SND_PCM_STREAM_CAPTURE, SND_PCM_NONBLOCK);
    if (err < 0) {
      h = nullptr;
      return fail("cannot open for capture", err);
    }
    HwParams hw(a);
    if (!hw.p) return "ALSA PCM \"" + name + "\": out of memory for hw params";
    if ((err = a.hwAny(h, hw.p)) < 0) return fail("no hardware configuration", err);
    if ((err = a.hwSetAccess(h, hw.p, SND_PCM_ACCESS_RW_INTERLEAVED)) < 0)
      return fail("interleaved read access not supported", err);
    for (const Format& f : kFormats) {
      if (a.hwTestFormat(h, hw.p, f.id) == 0) {
        format = &f;
        break;
      }
    }
    if (!format) return "ALSA PCM \"" + name + "\": offers none of the integer formats S16_LE, S32_LE, S24_LE, S24_3LE";
    if ((err = a.hwSetFormat(h, hw.p, format->id)) < 0) return fail("cannot set the sample format", err);
    if ((err = a.hwGetChannelsMin(hw.p, &channels)) < 0 || channels == 0) channels = 1;
    if ((err = a.hwSetChannels(h, hw.p, channels)) < 0) return fail("cannot set the channel count", err);
    a.hwSetRateResample(h, hw.p, 0);  // best effort: plug PCMs honour it, others ignore it
    rate = wantRate;
    int dir = 0;
    if ((err = a.hwSetRateNear(h, hw.p, &rate, &dir)) < 0) return fail("cannot set a sample rate", err);
    unsigned bufferUs = 200000, periodUs = 10000;
    dir = 0;
    a.hwSetBufferTimeNear(h, hw.p, &bufferUs, &dir);  // best effort; the device's choice stands otherwise
    dir = 0;
    a.hwSetPeriodTimeNear(h, hw.p, &periodUs, &dir);
    if ((err = a.hwInstall(h, hw.p)) < 0) return fail("cannot apply the capture configuration", err);
    dir = 0;
    a.hwGetRate(hw.p, &rate, &dir);
    dir = 0;
    if (a.hwGetPeriodSize(hw.p, &period, &dir) < 0 || period == 0) period = 256;
    int sbits = a.hwGetSbits(hw.p);
    shift = sbits > 0 && unsigned(sbits) < format->container ? format->container - unsigned(sbits) : 0;
    return "";
  }

  // Channel 0 of the frame at `p` as a signed integer in units of the converter's LSB.
  int64_t decode(const uint8_t* p) const {
    int32_t v;
    switch (format->id) {
      case SND_PCM_FORMAT_S16_LE: v = int16_t(uint16_t(p[0] | (p[1] << 8))); break;
      case SND_PCM_FORMAT_S32_LE: v = int32_t(uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24); break;
      default: {  // S24_LE (low three bytes of four) and S24_3LE: sign-extend bit 23
        uint32_t u = uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16;
        v = int32_t(u << 8) >> 8;
      }
    }
    return int64_t(v) >> shift;
  }
};

constexpr int kSliceMs = 20;
constexpr uint64_t kStallNs = 2000000000ull;

std::string probeAudio(const oe::Params& params) {
  std::string why;
  std::string name = pcmName(&why);
  if (name.empty()) return why;
  const Alsa& a = alsa();
  if (!a.error.empty()) return a.error;
  Pcm pcm(a, name);
  return pcm.open(unsigned(oe::param(params, "rate", 48000)));
}

size_t sampleAudio(oe::Context& ctx) {
  std::string why;
  std::string name = pcmName(&why);
  if (name.empty()) throw oe::SamplerError(why);
  const Alsa& a = alsa();
  if (!a.error.empty()) throw oe::SamplerError(a.error);
  Pcm pcm(a, name);
  why = pcm.open(unsigned(oe::param(ctx.params, "rate", 48000)));
  if (!why.empty()) throw oe::SamplerError(why);

  const size_t frameBytes = size_t(pcm.format->bytes) * pcm.channels;
  std::vector<uint8_t> buf(size_t(pcm.period) * frameBytes);
  uint64_t discard = uint64_t(oe::param(ctx.params, "settleMs", 50) * pcm.rate / 1000.0);
  int err = pcm.a.start(pcm.h);
  if (err < 0 && err != -EBADFD) throw oe::SamplerError(pcm.fail("cannot start capture", err));

  size_t filled = 0;
  uint64_t lastData = oe::monoRawNs();
  while (filled < ctx.n && !ctx.stop()) {
    snd_pcm_uframes_t want = pcm.period;
    if (discard == 0) want = std::min<snd_pcm_uframes_t>(want, ctx.n - filled);
    // Zero first: a PCM that delivers fewer bytes than it reports (alsa-lib's null device) must not leak
    // the previous contents of the buffer into the measurements.
    std::fill(buf.begin(), buf.begin() + want * frameBytes, 0);
    snd_pcm_sframes_t got = a.readi(pcm.h, buf.data(), want);
    if (got == -EAGAIN || got == 0) {
      if (oe::monoRawNs() - lastData > kStallNs) throw oe::SamplerError("ALSA PCM \"" + name + "\": no capture data for 2 s");
      err = a.wait(pcm.h, kSliceMs);
      if (err < 0 && a.recover(pcm.h, err, 1) < 0) throw oe::SamplerError(pcm.fail("wait failed", err));
      continue;
    }
    if (got < 0) {  // -EPIPE overrun, -ESTRPIPE suspend: re-prepare; the next read restarts the stream
      if ((err = a.recover(pcm.h, int(got), 1)) < 0) throw oe::SamplerError(pcm.fail("read failed", int(got)));
      continue;
    }
    lastData = oe::monoRawNs();
    size_t i = 0;
    if (discard > 0) {
      size_t skip = size_t(std::min<uint64_t>(discard, uint64_t(got)));
      discard -= skip;
      i = skip;
    }
    for (; i < size_t(got) && filled < ctx.n; i++) ctx.out[filled++] = pcm.decode(&buf[i * frameBytes]);
  }
  return filled;
}

}  // namespace

OE_REGISTER(audio_noise, oe::Unit::Value, sampleAudio, probeAudio);
