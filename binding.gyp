{
  "targets": [
    {
      "target_name": "c14n_scan",
      "sources": ["native/c14n_scan.c"],
      "cflags": ["-O3", "-std=c11"]
    }
  ]
}
