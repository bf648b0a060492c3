// audio_noise / camera_noise: analog noise from an ALSA capture device or a V4L2 camera. Available only
// where that hardware exists. This build detects the devices but does not yet implement raw capture, so
// even with hardware present the probe says so and the source stays unavailable (never simulated).
#include <dirent.h>
#include <string.h>

#include <vector>

#include "oe.h"

namespace {
std::vector<std::string> devices(const char* dir, const char* prefix, const char* suffix) {
  std::vector<std::string> out;
  DIR* d = opendir(dir);
  if (!d) return out;
  while (struct dirent* e = readdir(d)) {
    std::string n = e->d_name;
    if (n.rfind(prefix, 0) != 0) continue;
    if (*suffix && (n.size() < strlen(suffix) || n.compare(n.size() - strlen(suffix), std::string::npos, suffix) != 0))
      continue;
    out.push_back(n);
  }
  closedir(d);
  return out;
}

size_t notImplemented(oe::Context&) { throw oe::SamplerError("raw sensor capture is not implemented in this build"); }

std::string probeAudio(const oe::Params&) {
  auto pcm = devices("/dev/snd", "pcmC", "c");
  if (pcm.empty()) return "no ALSA capture device (no /dev/snd/pcmC*D*c)";
  return "ALSA capture device /dev/snd/" + pcm[0] + " present, but raw capture is not implemented in this build";
}

std::string probeCamera(const oe::Params&) {
  auto v = devices("/dev", "video", "");
  if (v.empty()) return "no V4L2 camera (no /dev/video*)";
  return "V4L2 device /dev/" + v[0] + " present, but raw capture is not implemented in this build";
}
}  // namespace

OE_REGISTER(audio_noise, oe::Unit::Value, notImplemented, probeAudio);
OE_REGISTER(camera_noise, oe::Unit::Value, notImplemented, probeCamera);
