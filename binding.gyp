# Builds the opdbus native addon. Every .cc file under native/ is compiled; each module registers
# its exports through native/core/module.h, so adding a module never edits a shared list.
{
  "targets": [
    {
      "target_name": "opdbus",
      "sources": ["<!@(find native -name '*.cc' | sort)"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")", "native"],
      "defines": ["NAPI_VERSION=8", "NODE_ADDON_API_DISABLE_DEPRECATED", "NAPI_CPP_EXCEPTIONS", "NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions"],
      "cflags_cc": ["-std=c++17", "-Wall", "-Wextra", "-Wno-unused-parameter", "-O2"],
      "conditions": [
        ["OS=='linux' and '<!(echo $OPDBUS_ASAN)'=='1'", {
          "cflags_cc": ["-fsanitize=address", "-fno-omit-frame-pointer", "-g"],
          "ldflags": ["-fsanitize=address"]
        }]
      ]
    }
  ]
}
