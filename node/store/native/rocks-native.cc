// The store's native addon (docs/STORAGE.md, "The native addon"): two calls the binding lacks.
//  - write: a RocksDB write batch handed over as one flat buffer: one native call per batch instead
//    of one per key, the keys sorted here (stable: one key's operations keep their order) so that
//    RocksDB inserts them into its memtable, a skip list, each next to the one before;
//  - read: the first entries of a narrow range in one call, as one buffer.
//
// It reads and writes the database that @nxtedition/rocksdb opened, through the binding's own RocksDB:
// this library links against the binding's shared object (its SONAME, leveldown.node, already
// loaded by the time this loads) and takes the database from the binding's handle (db_get_handle:
// a pointer to the binding's `Database`). That struct is the binding's, not a public API: its
// first two members are mirrored below for the pinned version (index.ts refuses any other), and
// `probe` checks the mirror against the binding's own reading of the location before any use.
//
// Write buffer layout, repeated to the given length: op (u8: 1 put, 0 delete), key length (u32 LE),
// value length (u32 LE, 0 for a delete), key, value.
#include <node_api.h>
#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

namespace {

// binding.cc (@nxtedition/rocksdb 12.2.12): struct Database final { const std::string location;
// std::unique_ptr<rocksdb::DB> db; ... } — no virtual members, so these two come first.
struct DatabasePrefix {
  const std::string location;
  std::unique_ptr<rocksdb::DB> db;
};

constexpr size_t kHeader = 9;

struct Op {
  rocksdb::Slice key;
  rocksdb::Slice val;
  bool put;
};

napi_value Fail(napi_env env, const char* code, const std::string& msg) {
  napi_throw_error(env, code, msg.c_str());
  return nullptr;
}

// The call's arguments (n of them) and the database its first one points to; null (an error
// thrown) when there are fewer or the first is not a pointer.
DatabasePrefix* Args(napi_env env, napi_callback_info info, size_t n, napi_value* argv, const char* usage) {
  size_t argc = n;
  if (napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr) != napi_ok || argc < n) {
    Fail(env, "ERR_INVALID_ARG", usage);
    return nullptr;
  }
  int64_t h = 0;
  bool lossless = false;
  if (napi_get_value_bigint_int64(env, argv[0], &h, &lossless) != napi_ok || !lossless || h == 0) {
    Fail(env, "ERR_INVALID_ARG", std::string(usage) + ": the handle is not a database pointer");
    return nullptr;
  }
  return reinterpret_cast<DatabasePrefix*>(h);
}

// probe(handle: bigint, location: string): boolean — whether the handle's struct reads as the
// mirror says (the location the binding reports is the one at its start) and the database is open.
napi_value Probe(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  DatabasePrefix* d = Args(env, info, 2, argv, "probe(handle, location)");
  if (d == nullptr) return nullptr;
  size_t len = 0;
  if (napi_get_value_string_utf8(env, argv[1], nullptr, 0, &len) != napi_ok)
    return Fail(env, "ERR_INVALID_ARG", "probe: the location is not a string");
  std::string location(len, '\0');
  napi_get_value_string_utf8(env, argv[1], location.data(), len + 1, &len);
  bool ok = d->location.size() == location.size() &&
            std::memcmp(d->location.data(), location.data(), location.size()) == 0 && d->db != nullptr;
  napi_value result;
  napi_get_boolean(env, ok, &result);
  return result;
}

bool Bytes(napi_env env, napi_value v, rocksdb::Slice* out) {
  napi_typedarray_type type;
  size_t size = 0;
  void* data = nullptr;
  if (napi_get_typedarray_info(env, v, &type, &size, &data, nullptr, nullptr) != napi_ok || type != napi_uint8_array)
    return false;
  *out = rocksdb::Slice(static_cast<const char*>(data), size);
  return true;
}

// Args(), and the database must be open: its RocksDB, or null (an error thrown).
rocksdb::DB* OpenDb(napi_env env, napi_callback_info info, size_t n, napi_value* argv, const char* usage) {
  DatabasePrefix* d = Args(env, info, n, argv, usage);
  if (d == nullptr) return nullptr;
  if (d->db == nullptr) {
    Fail(env, "ERR_DB_CLOSED", std::string(usage) + ": the database is closed");
    return nullptr;
  }
  return d->db.get();
}

// write(handle: bigint, buffer: Uint8Array, length: number, sync: boolean): number of operations
napi_value WriteBuffer(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  rocksdb::DB* db = OpenDb(env, info, 4, argv, "write(handle, buffer, length, sync)");
  if (db == nullptr) return nullptr;
  rocksdb::Slice bytes;
  if (!Bytes(env, argv[1], &bytes)) return Fail(env, "ERR_INVALID_ARG", "write: the buffer is not a Uint8Array");
  const size_t size = bytes.size();
  const void* data = bytes.data();
  double length = 0;
  if (napi_get_value_double(env, argv[2], &length) != napi_ok || !(length >= 0) || length > static_cast<double>(size))
    return Fail(env, "ERR_INVALID_ARG", "write: the length is not within the buffer");
  bool sync = false;
  if (napi_get_value_bool(env, argv[3], &sync) != napi_ok) return Fail(env, "ERR_INVALID_ARG", "write: sync is not a boolean");

  const char* p = static_cast<const char*>(data);
  const char* end = p + static_cast<size_t>(length);
  std::vector<Op> ops;
  ops.reserve(static_cast<size_t>(length) / 64 + 1);
  while (p < end) {
    if (static_cast<size_t>(end - p) < kHeader) return Fail(env, "ERR_INVALID_ARG", "write: a truncated operation");
    const uint8_t op = static_cast<uint8_t>(p[0]);
    uint32_t klen, vlen;
    std::memcpy(&klen, p + 1, 4);
    std::memcpy(&vlen, p + 5, 4);
    p += kHeader;
    if (op > 1 || (op == 0 && vlen != 0)) return Fail(env, "ERR_INVALID_ARG", "write: an unknown operation");
    if (static_cast<size_t>(end - p) < static_cast<size_t>(klen) + vlen)
      return Fail(env, "ERR_INVALID_ARG", "write: an operation longer than the buffer");
    ops.push_back({rocksdb::Slice(p, klen), rocksdb::Slice(p + klen, vlen), op == 1});
    p += static_cast<size_t>(klen) + vlen;
  }
  // RocksDB's own bytewise order (Slice::compare), the database's comparator
  std::stable_sort(ops.begin(), ops.end(), [](const Op& a, const Op& b) { return a.key.compare(b.key) < 0; });
  rocksdb::WriteBatch batch(static_cast<size_t>(length) + ops.size() * 8 + 64);
  for (const Op& o : ops) {
    const rocksdb::Status s = o.put ? batch.Put(o.key, o.val) : batch.Delete(o.key);
    if (!s.ok()) return Fail(env, "ERR_DB_IO", s.ToString());
  }
  rocksdb::WriteOptions options;
  options.sync = sync;
  const rocksdb::Status s = db->Write(options, &batch);
  if (!s.ok()) return Fail(env, "ERR_DB_IO", s.ToString());
  napi_value result;
  napi_create_uint32(env, static_cast<uint32_t>(ops.size()), &result);
  return result;
}


// read(handle, lower: Uint8Array, lowerExclusive: boolean, upper: Uint8Array | null,
//      upperInclusive: boolean, max: number, fillCache: boolean): Buffer
// Up to `max` entries of a forward range, from one iterator opened, read and closed in this call,
// as one buffer: a byte that says whether the range ended (1) or more entries follow (0), then per
// entry its key length (u32 LE), value length (u32 LE), key and value. The binding's own calls
// take three calls and a Buffer per key and per value for the same (read-rows.ts reads this buffer).
napi_value ReadRange(napi_env env, napi_callback_info info) {
  napi_value argv[7];
  rocksdb::DB* db = OpenDb(env, info, 7, argv, "read(handle, lower, lowerExclusive, upper, upperInclusive, max, fillCache)");
  if (db == nullptr) return nullptr;
  rocksdb::Slice lower, upper;
  if (!Bytes(env, argv[1], &lower)) return Fail(env, "ERR_INVALID_ARG", "read: the lower bound is not a Uint8Array");
  napi_valuetype upperType;
  napi_typeof(env, argv[3], &upperType);
  const bool bounded = upperType != napi_null;
  if (bounded && !Bytes(env, argv[3], &upper)) return Fail(env, "ERR_INVALID_ARG", "read: the upper bound is not a Uint8Array");
  bool lowerExclusive = false, upperInclusive = false, fillCache = false;
  double maxD = 0;
  if (napi_get_value_bool(env, argv[2], &lowerExclusive) != napi_ok ||
      napi_get_value_bool(env, argv[4], &upperInclusive) != napi_ok ||
      napi_get_value_double(env, argv[5], &maxD) != napi_ok || !(maxD >= 1) ||
      napi_get_value_bool(env, argv[6], &fillCache) != napi_ok)
    return Fail(env, "ERR_INVALID_ARG", "read: bad options");
  const size_t max = static_cast<size_t>(maxD);
  // the bounds are copied: the iterator reads its upper bound for as long as it lives
  const std::string lowerCopy(lower.data(), lower.size());
  const std::string upperCopy = bounded ? std::string(upper.data(), upper.size()) : std::string();
  const rocksdb::Slice upperSlice(upperCopy);
  rocksdb::ReadOptions ro;
  ro.fill_cache = fillCache;
  // an exclusive upper bound is RocksDB's own; an inclusive one is checked below
  if (bounded && !upperInclusive) ro.iterate_upper_bound = &upperSlice;
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(ro));
  std::string out(1, '\1');
  size_t n = 0;
  bool more = false;
  for (it->Seek(lowerCopy); it->Valid(); it->Next()) {
    const rocksdb::Slice k = it->key();
    if (lowerExclusive && k.compare(lowerCopy) == 0) continue;
    if (bounded && upperInclusive && k.compare(upperSlice) > 0) break;
    if (n == max) {
      more = true;
      break;
    }
    const rocksdb::Slice v = it->value();
    const uint32_t kl = static_cast<uint32_t>(k.size()), vl = static_cast<uint32_t>(v.size());
    out.append(reinterpret_cast<const char*>(&kl), 4);
    out.append(reinterpret_cast<const char*>(&vl), 4);
    out.append(k.data(), k.size());
    out.append(v.data(), v.size());
    n++;
  }
  if (!it->status().ok()) return Fail(env, "ERR_DB_IO", it->status().ToString());
  if (more) out[0] = '\0';
  napi_value result;
  void* copy = nullptr;
  if (napi_create_buffer_copy(env, out.size(), out.data(), &copy, &result) != napi_ok)
    return Fail(env, "ERR_DB_IO", "read: no buffer");
  return result;
}

napi_value Read(napi_env env, napi_callback_info info) {
  try {
    return ReadRange(env, info);
  } catch (const std::exception& e) {
    return Fail(env, "ERR_DB_IO", e.what());
  }
}

napi_value Write(napi_env env, napi_callback_info info) {
  // RocksDB and the STL may throw (std::bad_alloc on a huge batch): a JavaScript error, not an abort
  try {
    return WriteBuffer(env, info);
  } catch (const std::exception& e) {
    return Fail(env, "ERR_DB_IO", e.what());
  }
}

napi_value Init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"probe", nullptr, Probe, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"write", nullptr, Write, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"read", nullptr, Read, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, 3, props);
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
