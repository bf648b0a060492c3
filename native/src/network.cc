// Network timing. By default nothing leaves the machine:
//   tcp_connect_timing: each measurement is the tick count of socket() + a blocking connect() to a
//     listener this sampler opens on 127.0.0.1 (an ephemeral port, per batch). The handshake runs
//     through the loopback device inside the kernel (softirq, socket locks, accept queue), so this is
//     kernel-path and scheduler timing, not a physical link. Both ends close with SO_LINGER {1, 0}
//     (RST, no TIME_WAIT build-up). Only when the user names a target in OE_TCP_TARGET
//     ("ip:port" or "[ipv6]:port", an IP literal, no name lookup) is that target connected to instead.
//   dns_timing: only when the user names a resolver in OE_DNS_RESOLVER ("ip", "ip:port" or
//     "[ipv6]:port"; port 53 by default). Each measurement is the tick count from sending one UDP
//     query (type A for OE_DNS_NAME, default "example.com") to receiving the reply with the same ID.
//     Without a resolver, or when it does not answer, the source is unavailable with the reason.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>
#include "b_util.h"

namespace {

struct Addr {
  sockaddr_storage ss{};
  socklen_t len = 0;
};

// Parses "1.2.3.4", "1.2.3.4:53", "[::1]:53" or "::1" (IP literals only). Returns "" or the problem.
std::string parseAddr(const std::string& text, int defaultPort, Addr& a) {
  std::string host = text, port;
  if (!text.empty() && text[0] == '[') {
    size_t close = text.find(']');
    if (close == std::string::npos) return "missing ']' in \"" + text + "\"";
    host = text.substr(1, close - 1);
    if (close + 1 < text.size()) {
      if (text[close + 1] != ':') return "expected ':' after ']' in \"" + text + "\"";
      port = text.substr(close + 2);
    }
  } else if (std::count(text.begin(), text.end(), ':') == 1) {
    size_t colon = text.find(':');
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
  }
  long p = defaultPort;
  if (!port.empty()) {
    char* end = nullptr;
    p = strtol(port.c_str(), &end, 10);
    if (*end || p < 1 || p > 65535) return "bad port in \"" + text + "\"";
  }
  if (p < 1) return "no port in \"" + text + "\"";
  auto* v4 = reinterpret_cast<sockaddr_in*>(&a.ss);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&a.ss);
  if (inet_pton(AF_INET, host.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(uint16_t(p));
    a.len = sizeof(sockaddr_in);
    return "";
  }
  if (inet_pton(AF_INET6, host.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(uint16_t(p));
    a.len = sizeof(sockaddr_in6);
    return "";
  }
  return "\"" + host + "\" is not an IP address (names are not resolved)";
}

struct Sock {
  int fd = -1;
  Sock() = default;
  explicit Sock(int f) : fd(f) {}
  ~Sock() { reset(); }
  void reset() {
    if (fd >= 0) close(fd);
    fd = -1;
  }
};

void abortiveClose(int fd) {
  struct linger l {
    1, 0
  };
  setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
  close(fd);
}

// Remaining ms before the batch deadline, capped at `capMs`.
int waitMs(const oe::Context& ctx, int capMs) {
  if (ctx.deadlineNs == 0) return capMs;
  uint64_t now = oe::monoRawNs();
  if (now >= ctx.deadlineNs) return 0;
  uint64_t left = (ctx.deadlineNs - now) / 1000000 + 1;
  return left < uint64_t(capMs) ? int(left) : capMs;
}

// ---- tcp_connect_timing ----

std::string tcpTarget(Addr& a, bool& remote) {
  const char* env = getenv("OE_TCP_TARGET");
  remote = env && *env;
  if (!remote) return "";
  std::string why = parseAddr(env, 0, a);
  return why.empty() ? "" : "OE_TCP_TARGET: " + why;
}

size_t sampleTcp(oe::Context& ctx) {
  const int timeoutMs = int(oe::param(ctx.params, "timeoutMs", 2000));
  Addr target;
  bool remote = false;
  std::string why = tcpTarget(target, remote);
  if (!why.empty()) throw oe::SamplerError(why);
  Sock listener;
  if (!remote) {
    listener.fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (listener.fd < 0) throw oe::SamplerError(std::string("socket: ") + strerror(errno));
    auto* v4 = reinterpret_cast<sockaddr_in*>(&target.ss);
    v4->sin_family = AF_INET;
    v4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    v4->sin_port = 0;
    target.len = sizeof(sockaddr_in);
    if (bind(listener.fd, reinterpret_cast<sockaddr*>(&target.ss), target.len) != 0 || listen(listener.fd, 1024) != 0 ||
        getsockname(listener.fd, reinterpret_cast<sockaddr*>(&target.ss), &target.len) != 0)
      throw oe::SamplerError(std::string("loopback listener: ") + strerror(errno));
  }
  const int family = target.ss.ss_family;
  size_t i = 0;
  for (; i < ctx.n; i++) {
    if (ctx.stop()) break;
    uint64_t t0 = oe::ticks();
    int s = socket(family, SOCK_STREAM | SOCK_CLOEXEC | (remote ? SOCK_NONBLOCK : 0), 0);
    if (s < 0) throw oe::SamplerError(std::string("socket: ") + strerror(errno));
    int r = connect(s, reinterpret_cast<sockaddr*>(&target.ss), target.len);
    int err = r == 0 ? 0 : errno;
    if (remote && r != 0 && err == EINPROGRESS) {
      struct pollfd pf {
        s, POLLOUT, 0
      };
      int pr = poll(&pf, 1, waitMs(ctx, timeoutMs));
      socklen_t el = sizeof err;
      if (pr == 1) getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &el);
      else err = ETIMEDOUT;
    }
    uint64_t t1 = oe::ticks();
    abortiveClose(s);
    if (err != 0) {
      if (ctx.stop()) break;
      throw oe::SamplerError(std::string(remote ? "connect to OE_TCP_TARGET: " : "loopback connect: ") + strerror(err));
    }
    ctx.out[i] = int64_t(t1 - t0);
    if (!remote)
      for (int c; (c = accept4(listener.fd, nullptr, nullptr, SOCK_CLOEXEC)) >= 0;) abortiveClose(c);
  }
  return i;
}

std::string probeTcp(const oe::Params&) {
  Addr a;
  bool remote;
  return tcpTarget(a, remote);
}

// ---- dns_timing ----

const char kNoResolver[] =
    "no resolver named: set OE_DNS_RESOLVER=<ip>[:port] to time DNS queries (oe sends no traffic off-host by default)";

std::string dnsResolver(Addr& a) {
  const char* env = getenv("OE_DNS_RESOLVER");
  if (!env || !*env) return kNoResolver;
  std::string why = parseAddr(env, 53, a);
  return why.empty() ? "" : "OE_DNS_RESOLVER: " + why;
}

// A standard recursive query (RFC 1035 §4.1) for `name`, type A, class IN.
std::string buildQuery(uint16_t id, std::string& problem) {
  const char* env = getenv("OE_DNS_NAME");
  std::string name = env && *env ? env : "example.com";
  std::string q;
  q += char(id >> 8);
  q += char(id & 0xff);
  q += std::string("\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00", 10);
  size_t start = 0;
  while (start < name.size()) {
    size_t dot = name.find('.', start);
    if (dot == std::string::npos) dot = name.size();
    size_t len = dot - start;
    if (len == 0 || len > 63) {
      problem = "OE_DNS_NAME \"" + name + "\" is not a valid domain name";
      return "";
    }
    q += char(len);
    q += name.substr(start, len);
    start = dot + 1;
  }
  q += std::string("\x00\x00\x01\x00\x01", 5);
  return q;
}

// One query/reply round trip in ticks, or -1 on timeout / stop.
int64_t dnsRoundTrip(int fd, uint16_t id, const oe::Context* ctx, int timeoutMs, std::string& problem) {
  std::string q = buildQuery(id, problem);
  if (q.empty()) return -1;
  unsigned char reply[1500];
  uint64_t t0 = oe::ticks();
  if (send(fd, q.data(), q.size(), 0) != ssize_t(q.size())) {
    problem = std::string("send: ") + strerror(errno);
    return -1;
  }
  uint64_t limit = oe::monoRawNs() + uint64_t(timeoutMs) * 1000000ull;
  for (;;) {
    uint64_t now = oe::monoRawNs();
    if (now >= limit || (ctx && ctx->stop())) return -1;
    int wait = int((limit - now) / 1000000 + 1);
    if (ctx) wait = waitMs(*ctx, wait > 50 ? 50 : wait);
    struct pollfd pf {
      fd, POLLIN, 0
    };
    int pr = poll(&pf, 1, wait);
    if (pr <= 0) continue;
    ssize_t r = recv(fd, reply, sizeof reply, 0);
    uint64_t t1 = oe::ticks();
    if (r < 0) {
      problem = std::string("recv: ") + strerror(errno);
      return -1;
    }
    // A reply: our ID and the QR bit.
    if (r >= 12 && reply[0] == (id >> 8) && reply[1] == (id & 0xff) && (reply[2] & 0x80)) return int64_t(t1 - t0);
  }
}

int dnsSocket(const Addr& a) {
  int fd = socket(a.ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  // connect() so that only the resolver's datagrams are delivered.
  if (connect(fd, reinterpret_cast<const sockaddr*>(&a.ss), a.len) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

size_t sampleDns(oe::Context& ctx) {
  const int timeoutMs = int(oe::param(ctx.params, "timeoutMs", 1000));
  Addr a;
  std::string why = dnsResolver(a);
  if (!why.empty()) throw oe::SamplerError(why);
  Sock s(dnsSocket(a));
  if (s.fd < 0) throw oe::SamplerError(std::string("resolver socket: ") + strerror(errno));
  uint16_t id = uint16_t(oe::ticks());
  int misses = 0;
  size_t i = 0;
  while (i < ctx.n && !ctx.stop()) {
    std::string problem;
    int64_t rtt = dnsRoundTrip(s.fd, ++id, &ctx, timeoutMs, problem);
    if (!problem.empty()) throw oe::SamplerError(problem);
    if (rtt < 0) {
      if (ctx.stop()) break;
      if (++misses >= 3) throw oe::SamplerError("resolver gave no reply to 3 queries in a row");
      continue;
    }
    misses = 0;
    ctx.out[i++] = rtt;
  }
  return i;
}

std::string probeDns(const oe::Params& params) {
  Addr a;
  std::string why = dnsResolver(a);
  if (!why.empty()) return why;
  Sock s(dnsSocket(a));
  if (s.fd < 0) return std::string("resolver socket: ") + strerror(errno);
  std::string problem;
  int64_t rtt = dnsRoundTrip(s.fd, uint16_t(oe::ticks()), nullptr, int(oe::param(params, "probeTimeoutMs", 2000)),
                             problem);
  if (!problem.empty()) return "resolver " + std::string(getenv("OE_DNS_RESOLVER")) + ": " + problem;
  if (rtt < 0) return "resolver " + std::string(getenv("OE_DNS_RESOLVER")) + " did not answer within 2 s";
  return "";
}

}  // namespace

OE_REGISTER(tcp_connect_timing, oe::Unit::Tsc, sampleTcp, probeTcp);
OE_REGISTER(dns_timing, oe::Unit::Tsc, sampleDns, probeDns);
