// The Parquet writer's native scan (src/db/parquet.ts): DuckDB's own COPY … TO … (FORMAT parquet) reads
// typed-array columns through a table function implemented here, in C, instead of one call into
// JavaScript per 2048-row chunk. The JS table function costs two thread switches per chunk (DuckDB's
// thread waits while the event loop fills the chunk): a fifth of the recorder's writing CPU. Here the
// whole COPY runs on one libuv thread, chunks are filled by memcpy, and the Parquet is still written by
// DuckDB (the same libduckdb.so that @duckdb/node-bindings loads, opened by path with dlopen, and its
// public C API, duckdb.h: declared below for the few functions used).
#include <dlfcn.h>
#include <fcntl.h>
#include <napi.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

#include <algorithm>
#include <condition_variable>
#include <functional>
#include <map>
#include <cstdint>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace {

// --- the subset of DuckDB's C API (duckdb.h) used here -------------------------------------------
using idx_t = uint64_t;
using duckdb_state = int;  // DuckDBSuccess = 0
using duckdb_database = void*;
using duckdb_connection = void*;
using duckdb_config = void*;
using duckdb_table_function = void*;
using duckdb_bind_info = void*;
using duckdb_init_info = void*;
using duckdb_function_info = void*;
using duckdb_data_chunk = void*;
using duckdb_vector = void*;
using duckdb_logical_type = void*;
using duckdb_value = void*;
using delete_cb = void (*)(void*);
using bind_cb = void (*)(duckdb_bind_info);
using init_cb = void (*)(duckdb_init_info);
using main_cb = void (*)(duckdb_function_info, duckdb_data_chunk);
// duckdb_result is a struct the caller allocates; only ever touched through the API, so a zeroed block
// larger than it (6 words in DuckDB 1.x) stands in for it.
struct ResultBlock {
  uint64_t words[32] = {};
};

struct Api {
  duckdb_state (*create_config)(duckdb_config*);
  duckdb_state (*set_config)(duckdb_config, const char*, const char*);
  void (*destroy_config)(duckdb_config*);
  duckdb_state (*open_ext)(const char*, duckdb_database*, duckdb_config, char**);
  void (*free)(void*);
  duckdb_state (*connect)(duckdb_database, duckdb_connection*);
  void (*disconnect)(duckdb_connection*);
  duckdb_state (*query)(duckdb_connection, const char*, ResultBlock*);
  const char* (*result_error)(ResultBlock*);
  void (*destroy_result)(ResultBlock*);
  idx_t (*rows_changed)(ResultBlock*);
  idx_t (*vector_size)();
  duckdb_logical_type (*create_logical_type)(int);
  void (*destroy_logical_type)(duckdb_logical_type*);
  duckdb_table_function (*create_table_function)();
  void (*table_function_set_name)(duckdb_table_function, const char*);
  void (*table_function_add_parameter)(duckdb_table_function, duckdb_logical_type);
  void (*table_function_set_bind)(duckdb_table_function, bind_cb);
  void (*table_function_set_init)(duckdb_table_function, init_cb);
  void (*table_function_set_function)(duckdb_table_function, main_cb);
  duckdb_state (*register_table_function)(duckdb_connection, duckdb_table_function);
  void (*destroy_table_function)(duckdb_table_function*);
  duckdb_value (*bind_get_parameter)(duckdb_bind_info, idx_t);
  int64_t (*get_int64)(duckdb_value);
  void (*destroy_value)(duckdb_value*);
  void (*bind_add_result_column)(duckdb_bind_info, const char*, duckdb_logical_type);
  void (*bind_set_bind_data)(duckdb_bind_info, void*, delete_cb);
  void (*bind_set_cardinality)(duckdb_bind_info, idx_t, bool);
  void (*bind_set_error)(duckdb_bind_info, const char*);
  void (*init_set_max_threads)(duckdb_init_info, idx_t);
  void* (*function_get_bind_data)(duckdb_function_info);
  duckdb_vector (*data_chunk_get_vector)(duckdb_data_chunk, idx_t);
  void (*data_chunk_set_size)(duckdb_data_chunk, idx_t);
  void* (*vector_get_data)(duckdb_vector);
};

// DUCKDB_TYPE ids of the fixed-width types the scan fills (duckdb.h enum DUCKDB_TYPE).
size_t typeWidth(int type) {
  switch (type) {
    case 1: case 2: case 6: return 1;    // BOOLEAN, TINYINT, UTINYINT
    case 3: case 7: return 2;            // SMALLINT, USMALLINT
    case 4: case 8: case 10: return 4;   // INTEGER, UINTEGER, FLOAT
    case 5: case 9: case 11: case 12: return 8;  // BIGINT, UBIGINT, DOUBLE, TIMESTAMP
    default: return 0;
  }
}

// One column of a write: consecutive pieces of raw values, or runs start + k × step (BIGINT).
struct Column {
  std::string name;
  int type = 0;
  size_t width = 0;
  std::vector<std::pair<const uint8_t*, size_t>> pieces;  // data, rows
  std::vector<int64_t> starts, lengths;
  int64_t step = 0;
  bool runs = false;
  size_t piece = 0, off = 0;  // where the next chunk starts
};

struct Job {
  std::vector<Column> cols;
  uint64_t rows = 0, pos = 0;
};

Api api;
std::mutex mu;
duckdb_database db = nullptr;
std::vector<duckdb_connection> idle;  // connections not in use (the table function is in the database's catalog)
std::string openError;

void noDelete(void*) {}

void scanBind(duckdb_bind_info info) {
  duckdb_value v = api.bind_get_parameter(info, 0);
  Job* job = reinterpret_cast<Job*>(static_cast<intptr_t>(api.get_int64(v)));
  api.destroy_value(&v);
  if (!job) {
    api.bind_set_error(info, "oe_native_scan: no job");
    return;
  }
  for (auto& c : job->cols) {
    duckdb_logical_type t = api.create_logical_type(c.type);
    api.bind_add_result_column(info, c.name.c_str(), t);
    api.destroy_logical_type(&t);
  }
  api.bind_set_bind_data(info, job, noDelete);
  api.bind_set_cardinality(info, job->rows, true);
}

// One scanning thread: rows reach the writer in array order.
void scanInit(duckdb_init_info info) { api.init_set_max_threads(info, 1); }

void fillColumn(Column& c, uint8_t* dst, size_t n) {
  for (size_t done = 0; done < n;) {
    size_t have = c.runs ? size_t(c.lengths[c.piece]) : c.pieces[c.piece].second;
    size_t k = std::min(n - done, have - c.off);
    if (c.runs) {
      int64_t* out = reinterpret_cast<int64_t*>(dst) + done;
      int64_t v = c.starts[c.piece] + int64_t(c.off) * c.step;
      for (size_t i = 0; i < k; i++, v += c.step) out[i] = v;
    } else if (k > 0) {
      std::memcpy(dst + done * c.width, c.pieces[c.piece].first + c.off * c.width, k * c.width);
    }
    done += k;
    c.off += k;
    if (c.off == have) {
      c.piece++;
      c.off = 0;
    }
  }
}

void scanMain(duckdb_function_info info, duckdb_data_chunk out) {
  Job* job = static_cast<Job*>(api.function_get_bind_data(info));
  size_t n = size_t(std::min<uint64_t>(api.vector_size(), job->rows - job->pos));
  for (size_t i = 0; i < job->cols.size(); i++) {
    fillColumn(job->cols[i], static_cast<uint8_t*>(api.vector_get_data(api.data_chunk_get_vector(out, i))), n);
  }
  job->pos += n;
  api.data_chunk_set_size(out, n);
}

const char* missingSymbol = nullptr;

template <typename F>
bool sym(void* lib, const char* name, F& f) {
  f = reinterpret_cast<F>(dlsym(lib, name));
  if (!f) missingSymbol = name;
  return f != nullptr;
}

// Loads the API from libduckdb.so at `path` and opens an in-memory database with one thread (a COPY
// then runs on the thread that issues it), with the table function registered. "" when ready.
std::string openScan(const std::string& path) {
  void* lib = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!lib) return std::string("cannot load ") + path + ": " + dlerror();
  bool ok = sym(lib, "duckdb_create_config", api.create_config) && sym(lib, "duckdb_set_config", api.set_config) &&
            sym(lib, "duckdb_destroy_config", api.destroy_config) && sym(lib, "duckdb_open_ext", api.open_ext) &&
            sym(lib, "duckdb_free", api.free) && sym(lib, "duckdb_connect", api.connect) &&
            sym(lib, "duckdb_disconnect", api.disconnect) && sym(lib, "duckdb_query", api.query) &&
            sym(lib, "duckdb_result_error", api.result_error) && sym(lib, "duckdb_destroy_result", api.destroy_result) &&
            sym(lib, "duckdb_rows_changed", api.rows_changed) &&
            sym(lib, "duckdb_vector_size", api.vector_size) &&
            sym(lib, "duckdb_create_logical_type", api.create_logical_type) &&
            sym(lib, "duckdb_destroy_logical_type", api.destroy_logical_type) &&
            sym(lib, "duckdb_create_table_function", api.create_table_function) &&
            sym(lib, "duckdb_table_function_set_name", api.table_function_set_name) &&
            sym(lib, "duckdb_table_function_add_parameter", api.table_function_add_parameter) &&
            sym(lib, "duckdb_table_function_set_bind", api.table_function_set_bind) &&
            sym(lib, "duckdb_table_function_set_init", api.table_function_set_init) &&
            sym(lib, "duckdb_table_function_set_function", api.table_function_set_function) &&
            sym(lib, "duckdb_register_table_function", api.register_table_function) &&
            sym(lib, "duckdb_destroy_table_function", api.destroy_table_function) &&
            sym(lib, "duckdb_bind_get_parameter", api.bind_get_parameter) && sym(lib, "duckdb_get_int64", api.get_int64) &&
            sym(lib, "duckdb_destroy_value", api.destroy_value) &&
            sym(lib, "duckdb_bind_add_result_column", api.bind_add_result_column) &&
            sym(lib, "duckdb_bind_set_bind_data", api.bind_set_bind_data) &&
            sym(lib, "duckdb_bind_set_cardinality", api.bind_set_cardinality) &&
            sym(lib, "duckdb_bind_set_error", api.bind_set_error) &&
            sym(lib, "duckdb_init_set_max_threads", api.init_set_max_threads) &&
            sym(lib, "duckdb_function_get_bind_data", api.function_get_bind_data) &&
            sym(lib, "duckdb_data_chunk_get_vector", api.data_chunk_get_vector) &&
            sym(lib, "duckdb_data_chunk_set_size", api.data_chunk_set_size) &&
            sym(lib, "duckdb_vector_get_data", api.vector_get_data);
  if (!ok) return path + " lacks " + missingSymbol + ", a DuckDB C API function the native scan uses";
  duckdb_config cfg = nullptr;
  if (api.create_config(&cfg) != 0) return "duckdb_create_config failed";
  api.set_config(cfg, "threads", "1");
  // As in src/db/connection.ts: the external file cache would keep the bytes of every Parquet file a merge
  // reads, and RSS would grow by what each merge pass reads (~85 MiB a minute at the default cap).
  api.set_config(cfg, "enable_external_file_cache", "false");
  char* err = nullptr;
  duckdb_state st = api.open_ext(nullptr, &db, cfg, &err);
  api.destroy_config(&cfg);
  if (st != 0) {
    std::string m = err ? err : "duckdb_open_ext failed";
    if (err) api.free(err);
    db = nullptr;
    return m;
  }
  duckdb_connection conn = nullptr;
  if (api.connect(db, &conn) != 0) return "duckdb_connect failed";
  duckdb_table_function tf = api.create_table_function();
  api.table_function_set_name(tf, "oe_native_scan");
  duckdb_logical_type big = api.create_logical_type(5);
  api.table_function_add_parameter(tf, big);
  api.destroy_logical_type(&big);
  api.table_function_set_bind(tf, scanBind);
  api.table_function_set_init(tf, scanInit);
  api.table_function_set_function(tf, scanMain);
  st = api.register_table_function(conn, tf);
  api.destroy_table_function(&tf);
  if (st != 0) return "cannot register oe_native_scan";
  idle.push_back(conn);
  return "";
}

// parquetScanOpen(libduckdbPath) -> null when the native scan is ready, else why not (string).
Napi::Value ParquetScanOpen(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsString()) throw Napi::TypeError::New(env, "parquetScanOpen expects the path of libduckdb.so");
  std::lock_guard<std::mutex> lock(mu);
  if (!db && openError.empty()) openError = openScan(info[0].As<Napi::String>().Utf8Value());
  if (db && openError.empty()) return env.Null();
  return Napi::String::New(env, openError.empty() ? "not open" : openError);
}

// The columns of a copyColumns call, checked; their typed arrays must outlive the job (CopyWorker keeps them).
Job parseJob(Napi::Env env, Napi::Array columns) {
  Job job;
  for (uint32_t i = 0; i < columns.Length(); i++) {
    Napi::Object o = columns.Get(i).As<Napi::Object>();
    Column c;
    c.name = o.Get("name").As<Napi::String>().Utf8Value();
    c.type = o.Get("type").As<Napi::Number>().Int32Value();
    c.width = typeWidth(c.type);
    if (c.width == 0) throw Napi::TypeError::New(env, "copyColumns: unsupported DuckDB type id " + std::to_string(c.type));
    uint64_t rows = 0;
    if (o.Has("pieces")) {
      Napi::Array ps = o.Get("pieces").As<Napi::Array>();
      for (uint32_t k = 0; k < ps.Length(); k++) {
        Napi::TypedArray a = ps.Get(k).As<Napi::TypedArray>();
        if (a.ElementSize() != c.width)
          throw Napi::TypeError::New(env, "copyColumns: " + c.name + ": element size does not match its type");
        c.pieces.emplace_back(static_cast<const uint8_t*>(a.ArrayBuffer().Data()) + a.ByteOffset(), a.ElementLength());
        rows += a.ElementLength();
      }
    } else {
      if (c.type != 5) throw Napi::TypeError::New(env, "copyColumns: runs need BIGINT");
      c.runs = true;
      c.step = o.Get("step").As<Napi::Number>().Int64Value();
      Napi::Array s = o.Get("starts").As<Napi::Array>(), l = o.Get("lengths").As<Napi::Array>();
      if (s.Length() != l.Length()) throw Napi::TypeError::New(env, "copyColumns: one start per length");
      for (uint32_t k = 0; k < s.Length(); k++) {
        c.starts.push_back(s.Get(k).As<Napi::Number>().Int64Value());
        int64_t len = l.Get(k).As<Napi::Number>().Int64Value();
        if (len < 0) throw Napi::TypeError::New(env, "copyColumns: negative run length");
        c.lengths.push_back(len);
        rows += uint64_t(len);
      }
    }
    if (i > 0 && rows != job.rows) throw Napi::TypeError::New(env, "copyColumns: " + c.name + " has another row count");
    job.rows = rows;
    job.cols.push_back(std::move(c));
  }
  if (job.cols.empty()) throw Napi::TypeError::New(env, "copyColumns: no columns");
  return job;
}

// Runs one statement (a COPY) and then fsyncs fsyncPath, on a connection of the scan's database; "" or the
// error. `rows` gets the rows the COPY wrote.
std::string runStatement(const std::string& sql, const std::string& fsyncPath, uint64_t& rows) {
  duckdb_connection conn = nullptr;
  {
    std::lock_guard<std::mutex> lock(mu);
    if (!idle.empty()) {
      conn = idle.back();
      idle.pop_back();
    }
  }
  if (!conn && api.connect(db, &conn) != 0) return "duckdb_connect failed";
  ResultBlock res;
  std::string err;
  if (api.query(conn, sql.c_str(), &res) != 0) {
    const char* e = api.result_error(&res);
    err = e ? e : "COPY failed";
  } else {
    rows = api.rows_changed(&res);
  }
  api.destroy_result(&res);
  {
    std::lock_guard<std::mutex> lock(mu);
    idle.push_back(conn);
  }
  if (err.empty() && !fsyncPath.empty()) {
    int fd = open(fsyncPath.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0 || fsync(fd) != 0) err = "cannot fsync " + fsyncPath + ": " + std::strerror(errno);
    if (fd >= 0) close(fd);
  }
  return err;
}

// A thread lowered to one nice level for good, that runs one task at a time for a caller who waits. Kept
// for the next statement at that level: a new thread per write (dozens a second in a recording) cost
// ~0.15 ms of CPU each (creation, and DuckDB's and the allocator's per-thread state built anew).
class NiceThread {
 public:
  explicit NiceThread(int level) {
    std::thread([this, level] {
      setpriority(PRIO_PROCESS, id_t(syscall(SYS_gettid)), level);
      std::unique_lock<std::mutex> lock(m_);
      for (;;) {
        cv_.wait(lock, [this] { return task_ != nullptr; });
        const std::function<void()>* task = task_;
        lock.unlock();
        (*task)();
        lock.lock();
        task_ = nullptr;
        cv_.notify_all();
      }
    }).detach();  // never joined: an idle one waits on its condition until the process exits
  }

  // Runs `task` on this thread and returns when it has.
  void run(const std::function<void()>& task) {
    std::unique_lock<std::mutex> lock(m_);
    task_ = &task;
    cv_.notify_all();
    cv_.wait(lock, [this] { return task_ == nullptr; });
  }

 private:
  std::mutex m_;
  std::condition_variable cv_;
  const std::function<void()>* task_ = nullptr;
};

std::mutex niceMu;
std::map<int, std::vector<NiceThread*>> idleNice;  // by nice level; grows to the most statements run at once

// Runs `task` on an idle thread at nice `level` (a new one if none is idle) and waits for it.
void runAtNice(int level, const std::function<void()>& task) {
  NiceThread* t = nullptr;
  {
    std::lock_guard<std::mutex> lock(niceMu);
    auto& v = idleNice[level];
    if (!v.empty()) {
      t = v.back();
      v.pop_back();
    }
  }
  if (!t) t = new NiceThread(level);
  t->run(task);
  std::lock_guard<std::mutex> lock(niceMu);
  idleNice[level].push_back(t);
}

// Runs a statement on the scan's database on a libuv thread, or with `nice` on a NiceThread that many
// levels lower (Linux's nice is per thread, and a lowered thread cannot be raised again, so libuv's shared
// threads are left alone): the recorder's samplers then take the CPU first. The libuv thread only
// waits for it. With a job (copyColumns), the columns' typed arrays stay alive and in place until it ends.
class CopyWorker : public Napi::AsyncWorker {
 public:
  CopyWorker(Napi::Env env, std::string sql, int nice, std::string fsyncPath)
      : Napi::AsyncWorker(env),
        deferred_(Napi::Promise::Deferred::New(env)),
        sql_(std::move(sql)),
        nice_(nice),
        fsyncPath_(std::move(fsyncPath)) {}

  // The scan of `columns` (parsed into `job`), read by `COPY (SELECT * FROM oe_native_scan(job)) <to>`.
  void scan(Napi::Array columns, Job job, const std::string& to) {
    keep_ = Napi::Persistent(columns);
    job_ = std::move(job);
    sql_ = "COPY (SELECT * FROM oe_native_scan(" + std::to_string(reinterpret_cast<intptr_t>(&job_)) + ")) " + to;
  }

  Napi::Promise Promise() { return deferred_.Promise(); }

  void Execute() override {
    std::string err;
    errno = 0;
    int cur = nice_ > 0 ? getpriority(PRIO_PROCESS, id_t(syscall(SYS_gettid))) : 0;
    if (nice_ <= 0 || errno != 0) {
      err = runStatement(sql_, fsyncPath_, rows_);
    } else {
      runAtNice(std::min(19, cur + nice_), [&] { err = runStatement(sql_, fsyncPath_, rows_); });
    }
    if (!err.empty()) SetError(err);
  }

  void OnOK() override { deferred_.Resolve(Napi::Number::New(Env(), double(rows_))); }
  void OnError(const Napi::Error& e) override { deferred_.Reject(e.Value()); }

 private:
  Napi::Promise::Deferred deferred_;
  Napi::Reference<Napi::Array> keep_;
  std::string sql_;
  Job job_;
  int nice_;
  std::string fsyncPath_;
  uint64_t rows_ = 0;
};

/** The `{ nice?, fsyncPath? }` options of copyColumns and copySql. */
void readOptions(const Napi::Value& v, int& nice, std::string& fsyncPath) {
  if (!v.IsObject()) return;
  Napi::Object o = v.As<Napi::Object>();
  if (o.Get("nice").IsNumber()) nice = o.Get("nice").As<Napi::Number>().Int32Value();
  if (o.Get("fsyncPath").IsString()) fsyncPath = o.Get("fsyncPath").As<Napi::String>().Utf8Value();
}

// copyColumns(columns, toClause, { nice?, fsyncPath? }) -> Promise<rows>: runs `COPY (SELECT * FROM
// oe_native_scan(job)) <toClause>`, then fsyncs fsyncPath, on a libuv thread, or on a thread of its own
// `nice` levels lower. columns: [{ name, type: DUCKDB_TYPE id, pieces: TypedArray[] } | { name, type: 5,
// starts: number[], lengths: number[], step }].
Napi::Value CopyColumns(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!db) throw Napi::Error::New(env, "copyColumns: parquetScanOpen has not succeeded");
  if (!info[0].IsArray() || !info[1].IsString()) throw Napi::TypeError::New(env, "copyColumns(columns, toClause, options)");
  int nice = 0;
  std::string fsyncPath;
  readOptions(info[2], nice, fsyncPath);
  Napi::Array columns = info[0].As<Napi::Array>();
  Job job = parseJob(env, columns);
  auto* w = new CopyWorker(env, "", nice, fsyncPath);
  w->scan(columns, std::move(job), info[1].As<Napi::String>().Utf8Value());
  Napi::Promise p = w->Promise();
  w->Queue();
  return p;
}

// copySql(sql, { nice?, fsyncPath? }) -> Promise<rows>: runs one statement (a COPY that rewrites Parquet
// files) on the scan's database (one DuckDB thread), like copyColumns.
Napi::Value CopySql(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!db) throw Napi::Error::New(env, "copySql: parquetScanOpen has not succeeded");
  if (!info[0].IsString()) throw Napi::TypeError::New(env, "copySql(sql, options)");
  int nice = 0;
  std::string fsyncPath;
  readOptions(info[1], nice, fsyncPath);
  auto* w = new CopyWorker(env, info[0].As<Napi::String>().Utf8Value(), nice, fsyncPath);
  Napi::Promise p = w->Promise();
  w->Queue();
  return p;
}

}  // namespace

namespace oe {
void registerParquetScan(Napi::Env env, Napi::Object exports) {
  exports.Set("parquetScanOpen", Napi::Function::New(env, ParquetScanOpen));
  exports.Set("copyColumns", Napi::Function::New(env, CopyColumns));
  exports.Set("copySql", Napi::Function::New(env, CopySql));
}
}  // namespace oe
