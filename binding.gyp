{
  "targets": [
    {
      "target_name": "millrace_kernels",
      "sources": ["native/kernels.c"],
      "cflags": ["-O3", "-ffp-contract=off", "-fno-fast-math", "-std=gnu11"],
      "xcode_settings": { "OTHER_CFLAGS": ["-O3", "-ffp-contract=off"] }
    }
  ]
}
