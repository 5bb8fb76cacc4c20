{
  "targets": [
    {
      "target_name": "xades",
      "sources": ["native/xades.c"],
      "cflags": ["-O3", "-std=c11"]
    }
  ]
}
