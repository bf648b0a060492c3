// The Parquet writer's native scan (parquet_scan.cc): parquetScanOpen and copyColumns.
#pragma once
#include <napi.h>

namespace oe {
void registerParquetScan(Napi::Env env, Napi::Object exports);
}  // namespace oe
