// The N-API boundary: sample(name, out BigInt64Array, params, cancel Int32Array|null, timeoutMs)
// fills the caller's buffer in place (no allocation per call) and returns {filled, unit}.
#include <napi.h>
#include "bzip2_size.h"
#include "parquet_scan.h"
#include "permutation_stats.h"
#include "oe.h"

namespace oe {
std::map<std::string, Sampler>& registry() {
  static std::map<std::string, Sampler> r;
  return r;
}
}  // namespace oe

namespace {

oe::Params readParams(const Napi::Value& v) {
  oe::Params p;
  if (!v.IsObject()) return p;
  Napi::Object o = v.As<Napi::Object>();
  Napi::Array keys = o.GetPropertyNames();
  for (uint32_t i = 0; i < keys.Length(); i++) {
    std::string k = keys.Get(i).ToString();
    Napi::Value val = o.Get(k);
    if (val.IsNumber()) p[k] = val.As<Napi::Number>().DoubleValue();
    else if (val.IsBoolean()) p[k] = val.As<Napi::Boolean>().Value() ? 1.0 : 0.0;
  }
  return p;
}

const oe::Sampler& lookup(Napi::Env env, const Napi::Value& name) {
  if (!name.IsString()) throw Napi::TypeError::New(env, "sampler name must be a string");
  std::string n = name.As<Napi::String>();
  auto& reg = oe::registry();
  auto it = reg.find(n);
  if (it == reg.end()) throw Napi::Error::New(env, "unknown native sampler: " + n);
  return it->second;
}

Napi::Value SampleWith(const Napi::CallbackInfo& info, bool guarded) {
  Napi::Env env = info.Env();
  const oe::Sampler& s = lookup(env, info[0]);
  if (!info[1].IsTypedArray() || info[1].As<Napi::TypedArray>().TypedArrayType() != napi_bigint64_array)
    throw Napi::TypeError::New(env, "out must be a BigInt64Array");
  Napi::TypedArrayOf<int64_t> out = info[1].As<Napi::TypedArrayOf<int64_t>>();
  oe::Context ctx{};
  ctx.out = out.Data();
  ctx.n = out.ElementLength();
  ctx.params = readParams(info[2]);
  ctx.cancel = nullptr;
  if (info.Length() > 3 && info[3].IsTypedArray()) {
    auto c = info[3].As<Napi::TypedArray>();
    if (c.TypedArrayType() != napi_int32_array || c.ElementLength() < 1)
      throw Napi::TypeError::New(env, "cancel must be an Int32Array");
    auto ci = c.As<Napi::TypedArrayOf<int32_t>>();
    ctx.cancel = reinterpret_cast<const std::atomic<int32_t>*>(ci.Data());
  }
  double timeoutMs = info.Length() > 4 && info[4].IsNumber() ? info[4].As<Napi::Number>().DoubleValue() : 0;
  ctx.deadlineNs = timeoutMs > 0 ? oe::monoRawNs() + uint64_t(timeoutMs * 1e6) : 0;
  size_t filled = 0;
  try {
    filled = guarded ? oe::runGuarded(s, ctx) : s.sample(ctx);
  } catch (const Napi::Error&) {
    throw;
  } catch (const std::exception& e) {
    throw Napi::Error::New(env, std::string(s.name) + ": " + e.what());
  } catch (...) {
    throw Napi::Error::New(env, std::string(s.name) + ": sampler threw a non-standard C++ exception");
  }
  if (filled > ctx.n) throw Napi::Error::New(env, std::string(s.name) + ": sampler reported more samples than asked for");
  Napi::Object r = Napi::Object::New(env);
  r.Set("filled", Napi::Number::New(env, double(filled)));
  r.Set("unit", Napi::String::New(env, oe::unitName(s.unit == oe::Unit::Tsc ? oe::tickUnit() : s.unit)));
  return r;
}

// Every batch runs on the crash-guarded runner thread (oe_guard.cc).
Napi::Value Sample(const Napi::CallbackInfo& info) { return SampleWith(info, true); }
// The same call in the calling thread without the guard: only the benchmark's baseline for the guard's cost
// (a fault here ends the process).
Napi::Value SampleUnguarded(const Napi::CallbackInfo& info) { return SampleWith(info, false); }

// probe(name, params) -> null when available, else the reason (string).
Napi::Value Probe(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const oe::Sampler& s = lookup(env, info[0]);
  if (!s.probe) return env.Null();
  std::string reason;
  try {
    reason = oe::probeGuarded(s, readParams(info[1]));
  } catch (const std::exception& e) {
    reason = std::string("probe failed: ") + e.what();
  } catch (...) {
    reason = "probe failed with a non-standard C++ exception";
  }
  if (reason.empty()) return env.Null();
  return Napi::String::New(env, reason);
}

Napi::Value List(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto& reg = oe::registry();
  Napi::Array a = Napi::Array::New(env, reg.size());
  uint32_t i = 0;
  for (auto& [name, s] : reg) {
    Napi::Object o = Napi::Object::New(env);
    o.Set("name", name);
    o.Set("unit", oe::unitName(s.unit == oe::Unit::Tsc ? oe::tickUnit() : s.unit));
    a.Set(i++, o);
  }
  return a;
}

Napi::Value Arch(const Napi::CallbackInfo& info) {
#if defined(__x86_64__)
  return Napi::String::New(info.Env(), "x86_64");
#elif defined(__aarch64__)
  return Napi::String::New(info.Env(), "aarch64");
#else
  return Napi::String::New(info.Env(), "other");
#endif
}

// bzip2TextSize(Uint8Array) -> the §5.1.11 compressed size in bytes (native/src/bzip2_size.cc), or -1
// for fewer than 2 values.
Napi::Value Bzip2TextSize(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsTypedArray() || info[0].As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array)
    throw Napi::TypeError::New(env, "bzip2TextSize expects a Uint8Array");
  Napi::Uint8Array a = info[0].As<Napi::Uint8Array>();
  return Napi::Number::New(env, double(oe::bzip2TextSize(a.Data(), a.ElementLength())));
}

// fusedStatistics(s Uint8Array, raw Uint8Array, mean, median, out Float64Array): the §5.1 fused pass
// (native/src/permutation_stats.cc) into out[0..5] and out[8..17].
Napi::Value FusedStatistics(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto isU8 = [](const Napi::Value& v) {
    return v.IsTypedArray() && v.As<Napi::TypedArray>().TypedArrayType() == napi_uint8_array;
  };
  if (!isU8(info[0]) || !isU8(info[1]) || !info[2].IsNumber() || !info[3].IsNumber() || !info[4].IsTypedArray() ||
      info[4].As<Napi::TypedArray>().TypedArrayType() != napi_float64_array)
    throw Napi::TypeError::New(env, "fusedStatistics expects (Uint8Array, Uint8Array, number, number, Float64Array)");
  Napi::Uint8Array s = info[0].As<Napi::Uint8Array>();
  Napi::Uint8Array raw = info[1].As<Napi::Uint8Array>();
  Napi::Float64Array out = info[4].As<Napi::Float64Array>();
  if (s.ElementLength() != raw.ElementLength() || s.ElementLength() < 2 || out.ElementLength() < 18)
    throw Napi::RangeError::New(env, "fusedStatistics: s and raw of equal length >= 2, out of length >= 18");
  oe::fusedPermutationStatistics(s.Data(), raw.Data(), s.ElementLength(), info[2].As<Napi::Number>().DoubleValue(),
                                 info[3].As<Napi::Number>().DoubleValue(), out.Data());
  return env.Undefined();
}

// collisionTimes(s Uint8Array, out Float64Array): out[0..2] = sum, count and largest collision time
// (native/src/permutation_stats.cc).
Napi::Value CollisionTimes(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsTypedArray() || info[0].As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array ||
      !info[1].IsTypedArray() || info[1].As<Napi::TypedArray>().TypedArrayType() != napi_float64_array ||
      info[1].As<Napi::TypedArray>().ElementLength() < 3)
    throw Napi::TypeError::New(env, "collisionTimes expects (Uint8Array, Float64Array of length >= 3)");
  Napi::Uint8Array s = info[0].As<Napi::Uint8Array>();
  Napi::Float64Array out = info[1].As<Napi::Float64Array>();
  int64_t sum = 0, count = 0, max = 0;
  oe::collisionTimes(s.Data(), s.ElementLength(), sum, count, max);
  out[0] = double(sum);
  out[1] = double(count);
  out[2] = double(max);
  return env.Undefined();
}

// shuffle(a Uint8Array, b Uint8Array|null, state Uint32Array(4)): one round's Fisher–Yates shuffle in place
// (native/src/permutation_stats.cc); the generator state is updated.
Napi::Value Shuffle(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto isType = [](const Napi::Value& v, napi_typedarray_type t) {
    return v.IsTypedArray() && v.As<Napi::TypedArray>().TypedArrayType() == t;
  };
  const bool two = !info[1].IsNull() && !info[1].IsUndefined();
  if (!isType(info[0], napi_uint8_array) || (two && !isType(info[1], napi_uint8_array)) ||
      !isType(info[2], napi_uint32_array) || info[2].As<Napi::TypedArray>().ElementLength() < 4)
    throw Napi::TypeError::New(env, "shuffle expects (Uint8Array, Uint8Array | null, Uint32Array of length 4)");
  Napi::Uint8Array a = info[0].As<Napi::Uint8Array>();
  uint8_t* b = nullptr;
  if (two) {
    Napi::Uint8Array bb = info[1].As<Napi::Uint8Array>();
    if (bb.ElementLength() != a.ElementLength()) throw Napi::RangeError::New(env, "shuffle: arrays of different lengths");
    b = bb.Data();
  }
  oe::shuffleRound(a.Data(), b, a.ElementLength(), info[2].As<Napi::Uint32Array>().Data());
  return env.Undefined();
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("sample", Napi::Function::New(env, Sample));
  exports.Set("sampleUnguarded", Napi::Function::New(env, SampleUnguarded));
  exports.Set("probe", Napi::Function::New(env, Probe));
  exports.Set("list", Napi::Function::New(env, List));
  exports.Set("arch", Napi::Function::New(env, Arch));
  exports.Set("bzip2TextSize", Napi::Function::New(env, Bzip2TextSize));
  exports.Set("fusedStatistics", Napi::Function::New(env, FusedStatistics));
  exports.Set("collisionTimes", Napi::Function::New(env, CollisionTimes));
  exports.Set("shuffle", Napi::Function::New(env, Shuffle));
  oe::registerParquetScan(env, exports);
  exports.Set("tickUnit", Napi::String::New(env, oe::unitName(oe::tickUnit())));
  return exports;
}

}  // namespace

// NODE_API_MODULE with N-API is context-aware: the addon loads in every worker thread.
NODE_API_MODULE(oe_native, Init)
