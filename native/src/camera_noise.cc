// camera_noise: raw pixel values from a V4L2 video capture device. Dark current, read noise and photon
// shot noise of the image sensor show up in the low bits of uncompressed pixels.
//
// Plain ioctls from <linux/videodev2.h>. The device is $OE_V4L2_DEVICE when set, else the first
// /dev/video<N> (numeric order) whose VIDIOC_QUERYCAP reports single-planar video capture (device_caps
// when V4L2_CAP_DEVICE_CAPS is set, so a UVC camera's metadata node is skipped). The format is the first
// uncompressed one the device enumerates in this order of preference: GREY, Y10, Y12, Y14, Y16, 8-bit
// Bayer, unpacked 10/12/16-bit Bayer, then YUYV/YVYU/UYVY/VYUY and NV12/NV21/YU12/YV12 of which only
// the luma samples are used. Compressed formats (MJPEG, H.264…) are refused: their pixels are the output
// of a lossy transform and carry no raw sensor noise. The frame size is the smallest the device lists.
//
// Each batch opens the device, sets the format, captures with mmap streaming (REQBUFS/QUERYBUF/QBUF/
// STREAMON/DQBUF; read() when the device only supports V4L2_CAP_READWRITE), discards params.settleFrames
// (default 2) frames after STREAMON, polls in slices of at most 20 ms so ctx.stop() is honoured, and
// always stops streaming, unmaps and closes (RAII) on every path.
//
// One measurement = one pixel value: the 8-bit sample for GREY/Bayer8/luma, the 16-bit little-endian
// word for Y10/Y12/Y14/Y16 and unpacked Bayer (right-aligned, as V4L2 defines them), row by row from the
// top of each frame, skipping row padding (bytesperline).
//
// This capture path has not been exercised on camera hardware: the development machine has no /dev/video*. It is
// tested against a user-space fake V4L2 device loaded with LD_PRELOAD (test/sensor-v4l2.test.ts).
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/videodev2.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <string>
#include <vector>

#include "oe.h"

namespace {

int xioctl(int fd, unsigned long req, void* arg) {
  int r;
  do r = ioctl(fd, req, arg);
  while (r < 0 && errno == EINTR);
  return r;
}

std::string fourccName(uint32_t f) {
  std::string s;
  for (int i = 0; i < 4; i++) {
    char c = char((f >> (8 * i)) & 0xff);
    if (c != ' ' && c != 0) s += (c >= 32 && c < 127) ? c : '?';
  }
  return s;
}

// How to pull pixel values out of a frame of one format.
struct PixelLayout {
  uint32_t fourcc;
  unsigned bytes;   // 1: one byte per value, 2: little-endian 16-bit word
  unsigned step;    // bytes from one value to the next within a row
  unsigned offset;  // byte offset of the first value in a row
};
// In order of preference.
constexpr PixelLayout kLayouts[] = {
    {V4L2_PIX_FMT_GREY, 1, 1, 0},    {V4L2_PIX_FMT_Y10, 2, 2, 0},     {V4L2_PIX_FMT_Y12, 2, 2, 0},
    {V4L2_PIX_FMT_Y14, 2, 2, 0},     {V4L2_PIX_FMT_Y16, 2, 2, 0},     {V4L2_PIX_FMT_SBGGR8, 1, 1, 0},
    {V4L2_PIX_FMT_SGBRG8, 1, 1, 0},  {V4L2_PIX_FMT_SGRBG8, 1, 1, 0},  {V4L2_PIX_FMT_SRGGB8, 1, 1, 0},
    {V4L2_PIX_FMT_SBGGR10, 2, 2, 0}, {V4L2_PIX_FMT_SGBRG10, 2, 2, 0}, {V4L2_PIX_FMT_SGRBG10, 2, 2, 0},
    {V4L2_PIX_FMT_SRGGB10, 2, 2, 0}, {V4L2_PIX_FMT_SBGGR12, 2, 2, 0}, {V4L2_PIX_FMT_SGBRG12, 2, 2, 0},
    {V4L2_PIX_FMT_SGRBG12, 2, 2, 0}, {V4L2_PIX_FMT_SRGGB12, 2, 2, 0}, {V4L2_PIX_FMT_SBGGR16, 2, 2, 0},
    {V4L2_PIX_FMT_SGBRG16, 2, 2, 0}, {V4L2_PIX_FMT_SGRBG16, 2, 2, 0}, {V4L2_PIX_FMT_SRGGB16, 2, 2, 0},
    {V4L2_PIX_FMT_YUYV, 1, 2, 0},    {V4L2_PIX_FMT_YVYU, 1, 2, 0},    {V4L2_PIX_FMT_UYVY, 1, 2, 1},
    {V4L2_PIX_FMT_VYUY, 1, 2, 1},    {V4L2_PIX_FMT_NV12, 1, 1, 0},    {V4L2_PIX_FMT_NV21, 1, 1, 0},
    {V4L2_PIX_FMT_YUV420, 1, 1, 0},  {V4L2_PIX_FMT_YVU420, 1, 1, 0},
};

std::string errnoReason(const std::string& dev, const char* what, int err) {
  std::string msg = "V4L2 device " + dev + ": " + what + ": " + strerror(err);
  if (err == EACCES || err == EPERM) msg += " (add the user to the video group)";
  if (err == EBUSY) msg += " (another program is using it)";
  return msg;
}

// An open video device with its streaming state; the destructor undoes everything that was set up.
struct Camera {
  std::string path;
  int fd = -1;
  struct Map {
    void* addr;
    size_t length;
  };
  std::vector<Map> maps;
  bool streaming = false;
  bool useRead = false;
  PixelLayout layout{};
  v4l2_pix_format pix{};

  explicit Camera(std::string p) : path(std::move(p)) {}
  ~Camera() {
    if (streaming) {
      int type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
      xioctl(fd, VIDIOC_STREAMOFF, &type);
    }
    for (auto& m : maps) munmap(m.addr, m.length);
    if (!maps.empty()) {
      v4l2_requestbuffers req{};
      req.count = 0;
      req.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
      req.memory = V4L2_MEMORY_MMAP;
      xioctl(fd, VIDIOC_REQBUFS, &req);
    }
    if (fd >= 0) close(fd);
  }
  Camera(const Camera&) = delete;
  Camera& operator=(const Camera&) = delete;

  // Opens the device and checks it is a single-planar V4L2 capture device. "" or the reason.
  std::string open() {
    fd = ::open(path.c_str(), O_RDWR | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) return errnoReason(path, "cannot open", errno);
    v4l2_capability cap{};
    if (xioctl(fd, VIDIOC_QUERYCAP, &cap) < 0) {
      if (errno == ENOTTY || errno == EINVAL) return "V4L2 device " + path + ": not a V4L2 device (VIDIOC_QUERYCAP failed)";
      return errnoReason(path, "VIDIOC_QUERYCAP", errno);
    }
    uint32_t caps = (cap.capabilities & V4L2_CAP_DEVICE_CAPS) ? cap.device_caps : cap.capabilities;
    if (!(caps & V4L2_CAP_VIDEO_CAPTURE)) {
      if (caps & V4L2_CAP_VIDEO_CAPTURE_MPLANE)
        return "V4L2 device " + path + ": only multi-planar capture, which this build does not support";
      return "V4L2 device " + path + ": not a video capture device";
    }
    if (caps & V4L2_CAP_STREAMING) useRead = false;
    else if (caps & V4L2_CAP_READWRITE) useRead = true;
    else return "V4L2 device " + path + ": supports neither streaming I/O nor read()";
    return "";
  }

  // Picks and sets an uncompressed format at the smallest frame size. "" or the reason.
  std::string configure() {
    std::vector<uint32_t> offered;
    std::vector<std::string> compressed;
    for (uint32_t i = 0;; i++) {
      v4l2_fmtdesc d{};
      d.index = i;
      d.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
      if (xioctl(fd, VIDIOC_ENUM_FMT, &d) < 0) break;
      if (d.flags & V4L2_FMT_FLAG_COMPRESSED) compressed.push_back(fourccName(d.pixelformat));
      else offered.push_back(d.pixelformat);
    }
    const PixelLayout* chosen = nullptr;
    for (const auto& l : kLayouts) {
      if (std::find(offered.begin(), offered.end(), l.fourcc) != offered.end()) {
        chosen = &l;
        break;
      }
    }
    if (!chosen) {
      std::string list;
      for (auto f : offered) list += (list.empty() ? "" : ", ") + fourccName(f);
      for (auto& c : compressed) list += (list.empty() ? "" : ", ") + c;
      if (list.empty()) return "V4L2 device " + path + ": enumerates no capture formats";
      if (offered.empty())
        return "V4L2 device " + path + ": only compressed formats (" + list +
               "); compressed pixels carry no raw sensor noise";
      return "V4L2 device " + path + ": no supported uncompressed format among " + list;
    }
    layout = *chosen;

    // Smallest frame size listed for that format (discrete sizes, or the minimum of a range).
    uint32_t w = 0, h = 0;
    for (uint32_t i = 0;; i++) {
      v4l2_frmsizeenum fs{};
      fs.index = i;
      fs.pixel_format = layout.fourcc;
      if (xioctl(fd, VIDIOC_ENUM_FRAMESIZES, &fs) < 0) break;
      if (fs.type == V4L2_FRMSIZE_TYPE_DISCRETE) {
        if (w == 0 || uint64_t(fs.discrete.width) * fs.discrete.height < uint64_t(w) * h) {
          w = fs.discrete.width;
          h = fs.discrete.height;
        }
      } else {
        w = fs.stepwise.min_width;
        h = fs.stepwise.min_height;
        break;
      }
    }
    v4l2_format fmt{};
    fmt.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
    if (xioctl(fd, VIDIOC_G_FMT, &fmt) < 0) return errnoReason(path, "VIDIOC_G_FMT", errno);
    fmt.fmt.pix.pixelformat = layout.fourcc;
    if (w && h) {
      fmt.fmt.pix.width = w;
      fmt.fmt.pix.height = h;
    }
    fmt.fmt.pix.field = V4L2_FIELD_NONE;
    fmt.fmt.pix.bytesperline = 0;  // let the driver choose
    if (xioctl(fd, VIDIOC_S_FMT, &fmt) < 0) return errnoReason(path, "VIDIOC_S_FMT", errno);
    if (fmt.fmt.pix.pixelformat != layout.fourcc)
      return "V4L2 device " + path + ": refused format " + fourccName(layout.fourcc) + " (gave " +
             fourccName(fmt.fmt.pix.pixelformat) + ")";
    pix = fmt.fmt.pix;
    if (pix.width == 0 || pix.height == 0) return "V4L2 device " + path + ": reports an empty frame size";
    if (pix.bytesperline == 0) pix.bytesperline = pix.width * layout.step;
    if (pix.sizeimage == 0) pix.sizeimage = pix.bytesperline * pix.height;
    return "";
  }

  // Sets up mmap buffers and starts streaming (no-op for read() devices). Throws on failure.
  void start() {
    if (useRead) return;
    v4l2_requestbuffers req{};
    req.count = 4;
    req.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
    req.memory = V4L2_MEMORY_MMAP;
    if (xioctl(fd, VIDIOC_REQBUFS, &req) < 0) throw oe::SamplerError(errnoReason(path, "VIDIOC_REQBUFS", errno));
    if (req.count < 1) throw oe::SamplerError("V4L2 device " + path + ": granted no capture buffers");
    for (uint32_t i = 0; i < req.count; i++) {
      v4l2_buffer b{};
      b.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
      b.memory = V4L2_MEMORY_MMAP;
      b.index = i;
      if (xioctl(fd, VIDIOC_QUERYBUF, &b) < 0) throw oe::SamplerError(errnoReason(path, "VIDIOC_QUERYBUF", errno));
      void* addr = mmap(nullptr, b.length, PROT_READ | PROT_WRITE, MAP_SHARED, fd, b.m.offset);
      if (addr == MAP_FAILED) throw oe::SamplerError(errnoReason(path, "mmap of a capture buffer", errno));
      maps.push_back({addr, b.length});
      if (xioctl(fd, VIDIOC_QBUF, &b) < 0) throw oe::SamplerError(errnoReason(path, "VIDIOC_QBUF", errno));
    }
    int type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
    if (xioctl(fd, VIDIOC_STREAMON, &type) < 0) throw oe::SamplerError(errnoReason(path, "VIDIOC_STREAMON", errno));
    streaming = true;
  }

  // Appends up to `room` pixel values of one frame of `bytes` bytes to `out`; returns how many.
  size_t extract(const uint8_t* frame, size_t bytes, int64_t* out, size_t room) const {
    size_t k = 0;
    for (uint32_t row = 0; row < pix.height && k < room; row++) {
      size_t base = size_t(row) * pix.bytesperline + layout.offset;
      for (uint32_t x = 0; x < pix.width && k < room; x++) {
        size_t at = base + size_t(x) * layout.step;
        if (at + layout.bytes > bytes) return k;
        out[k++] = layout.bytes == 1 ? int64_t(frame[at]) : int64_t(frame[at] | (frame[at + 1] << 8));
      }
    }
    return k;
  }
};

std::vector<std::string> videoNodes() {
  std::vector<std::pair<int, std::string>> nodes;
  DIR* d = opendir("/dev");
  if (!d) return {};
  while (struct dirent* e = readdir(d)) {
    int n;
    char extra = 0;
    if (sscanf(e->d_name, "video%d%c", &n, &extra) == 1) nodes.push_back({n, std::string("/dev/") + e->d_name});
  }
  closedir(d);
  std::sort(nodes.begin(), nodes.end());
  std::vector<std::string> out;
  for (auto& n : nodes) out.push_back(n.second);
  return out;
}

// The device to use, or "" with *why set.
std::string devicePath(std::string* why) {
  const char* env = getenv("OE_V4L2_DEVICE");
  if (env && *env) return env;
  auto nodes = videoNodes();
  if (nodes.empty()) {
    *why = "no V4L2 camera (no /dev/video*); set OE_V4L2_DEVICE to a video capture device to use another";
    return "";
  }
  std::string reasons;
  for (auto& n : nodes) {
    Camera c(n);
    std::string r = c.open();
    if (r.empty()) return n;
    reasons += (reasons.empty() ? "" : "; ") + r;
  }
  *why = "no usable V4L2 capture device: " + reasons;
  return "";
}

constexpr int kSliceMs = 20;
constexpr uint64_t kStallNs = 5000000000ull;

std::string probeCamera(const oe::Params&) {
  std::string why;
  std::string path = devicePath(&why);
  if (path.empty()) return why;
  Camera cam(path);
  if (!(why = cam.open()).empty()) return why;
  return cam.configure();
}

size_t sampleCamera(oe::Context& ctx) {
  std::string why;
  std::string path = devicePath(&why);
  if (path.empty()) throw oe::SamplerError(why);
  Camera cam(path);
  if (!(why = cam.open()).empty() || !(why = cam.configure()).empty()) throw oe::SamplerError(why);
  cam.start();

  long settle = long(oe::param(ctx.params, "settleFrames", 2));
  std::vector<uint8_t> readBuf(cam.useRead ? cam.pix.sizeimage : 0);
  size_t filled = 0;
  uint64_t lastFrame = oe::monoRawNs();
  while (filled < ctx.n && !ctx.stop()) {
    // Checked on every pass, not only when poll times out: a device may keep reporting readiness while DQBUF fails
    // with EIO (retried below as transient) or read() with EAGAIN, which would otherwise spin for ever.
    if (oe::monoRawNs() - lastFrame > kStallNs) throw oe::SamplerError("V4L2 device " + path + ": no frame for 5 s");
    pollfd p{cam.fd, POLLIN, 0};
    int r = poll(&p, 1, kSliceMs);
    if (r < 0 && errno != EINTR) throw oe::SamplerError(errnoReason(path, "poll", errno));
    if (r <= 0) continue;
    if (p.revents & (POLLERR | POLLHUP | POLLNVAL)) {
      if (!(p.revents & POLLIN)) throw oe::SamplerError("V4L2 device " + path + ": device error or disconnected");
    }
    if (cam.useRead) {
      ssize_t got = read(cam.fd, readBuf.data(), readBuf.size());
      if (got < 0) {
        if (errno == EAGAIN || errno == EINTR) continue;
        throw oe::SamplerError(errnoReason(path, "read", errno));
      }
      lastFrame = oe::monoRawNs();
      if (settle > 0) {
        settle--;
        continue;
      }
      filled += cam.extract(readBuf.data(), size_t(got), ctx.out + filled, ctx.n - filled);
      continue;
    }
    v4l2_buffer b{};
    b.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
    b.memory = V4L2_MEMORY_MMAP;
    if (xioctl(cam.fd, VIDIOC_DQBUF, &b) < 0) {
      if (errno == EAGAIN || errno == EIO) continue;  // EIO: a transient error; the buffer stays queued
      throw oe::SamplerError(errnoReason(path, "VIDIOC_DQBUF", errno));
    }
    lastFrame = oe::monoRawNs();
    if (b.index < cam.maps.size() && !(b.flags & V4L2_BUF_FLAG_ERROR)) {
      if (settle > 0) settle--;
      else {
        size_t bytes = std::min<size_t>(b.bytesused ? b.bytesused : cam.maps[b.index].length, cam.maps[b.index].length);
        filled += cam.extract(static_cast<const uint8_t*>(cam.maps[b.index].addr), bytes, ctx.out + filled, ctx.n - filled);
      }
    }
    if (xioctl(cam.fd, VIDIOC_QBUF, &b) < 0) throw oe::SamplerError(errnoReason(path, "VIDIOC_QBUF", errno));
  }
  return filled;
}

}  // namespace

OE_REGISTER(camera_noise, oe::Unit::Value, sampleCamera, probeCamera);
