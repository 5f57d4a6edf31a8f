{
  # The store's native addon (rocks-native.cc), linked against @nxtedition/rocksdb's own shared object:
  # its RocksDB, not a second copy. Built by scripts/tools/build-native.js; Linux only.
  "variables": {
    "rocksdb_dir": "<!(node -p \"require('path').dirname(require.resolve('@nxtedition/rocksdb/package.json'))\")"
  },
  "targets": [
    {
      "target_name": "rocks_native",
      "sources": ["rocks-native.cc"],
      "include_dirs": ["<(rocksdb_dir)/deps/rocksdb/rocksdb/include"],
      "libraries": ["<(rocksdb_dir)/prebuilds/linux-x64/@nxtedition+rocksdb.node"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti", "-std=gnu++17"],
      "cflags_cc": ["-std=c++20", "-O2", "-fexceptions"]
    }
  ]
}
