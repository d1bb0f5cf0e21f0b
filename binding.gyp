{
  "variables": {
    "openblas%": "<!(node scripts/detect-openblas.cjs)",
    "openblas_static%": "<!(node -p \"process.env.MFREC_OPENBLAS_STATIC === '1' ? 1 : 0\")"
  },
  "targets": [
    {
      "target_name": "mfrec",
      "sources": ["<!@(node scripts/list-sources.cjs)"],
      "include_dirs": ["native"],
      "dependencies": ["<!(node -p \"require('node-addon-api').targets\"):node_addon_api_except_all"],
      "defines": ["NAPI_VERSION=8", "NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS"],
      "cflags_cc": ["-std=c++17", "-fvisibility=hidden", "-ffp-contract=off"],
      "xcode_settings": {
        "CLANG_CXX_LANGUAGE_STANDARD": "c++17",
        "GCC_SYMBOLS_PRIVATE_EXTERN": "YES",
        "OTHER_CPLUSPLUSFLAGS": ["-ffp-contract=off"]
      },
      "msvs_settings": { "VCCLCompilerTool": { "AdditionalOptions": ["/std:c++17"] } },
      "conditions": [
        ["openblas==1", {
          "defines": ["MFREC_HAVE_OPENBLAS"],
          "cflags_cc": ["<!@(pkg-config --cflags openblas)"],
          "conditions": [
            ["openblas_static==1", {
              "libraries": ["<!(node -p \"require('path').join(require('child_process').execSync('pkg-config --variable=libdir openblas').toString().trim(), 'libopenblas.a')\")", "-Wl,--exclude-libs,ALL"]
            }, {
              "libraries": ["<!@(pkg-config --libs openblas)"]
            }]
          ]
        }]
      ]
    }
  ]
}
