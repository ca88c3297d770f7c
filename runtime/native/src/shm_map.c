// SPDX-License-Identifier: Apache-2.0
// lmcache_kit_shm (ours): maps a shared-memory file into Node as an ArrayBuffer, so the engine's
// allocator arena and the Python bridge's mmap of the same file are one set of pages and payloads
// cross the bridge without a copy. Node-API only (ABI-stable across Node versions). Where the
// runtime forbids external buffers (Electron's V8 sandbox) map() throws and the kit copies instead.
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <node_api.h>

typedef struct {
  void* base;
  size_t length;
} mapping;

static napi_value throw_error(napi_env env, const char* message) {
  napi_throw_error(env, NULL, message);
  return NULL;
}

static void unmap(napi_env env, void* data, void* hint) {
  (void)env;
  (void)data;
  mapping* m = (mapping*)hint;
  munmap(m->base, m->length);
  free(m);
}

// map(fd: number, length: number): ArrayBuffer — MAP_SHARED, read-write, from offset 0. The fd
// may be closed afterwards; the pages stay mapped until the buffer is garbage-collected.
static napi_value map(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 2) return throw_error(env, "map(fd, length) needs two numbers");
  int32_t fd;
  int64_t length;
  if (napi_get_value_int32(env, argv[0], &fd) != napi_ok || napi_get_value_int64(env, argv[1], &length) != napi_ok) return throw_error(env, "map(fd, length) needs two numbers");
  if (fd < 0 || length <= 0) return throw_error(env, "map(fd, length): fd must be open and length positive");
  void* base = mmap(NULL, (size_t)length, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (base == MAP_FAILED) {
    char message[160];
    snprintf(message, sizeof message, "mmap of %lld bytes failed: %s", (long long)length, strerror(errno));
    return throw_error(env, message);
  }
  mapping* m = (mapping*)malloc(sizeof *m);
  if (m == NULL) {
    munmap(base, (size_t)length);
    return throw_error(env, "out of memory");
  }
  m->base = base;
  m->length = (size_t)length;
  napi_value buffer;
  napi_status status = napi_create_external_arraybuffer(env, base, (size_t)length, unmap, m, &buffer);
  if (status == napi_no_external_buffers_allowed) {
    // refused before any buffer existed: the finalizer will not run
    munmap(base, (size_t)length);
    free(m);
    return throw_error(env, "this runtime does not allow external buffers");
  }
  if (status != napi_ok) {
    // Node ran (or will run) the finalizer itself, e.g. for a length over its Buffer limit
    bool pending = false;
    napi_is_exception_pending(env, &pending);
    return pending ? NULL : throw_error(env, "napi_create_external_arraybuffer failed");
  }
  return buffer;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_value fn;
  if (napi_create_function(env, "map", NAPI_AUTO_LENGTH, map, NULL, &fn) != napi_ok) return NULL;
  if (napi_set_named_property(env, exports, "map", fn) != napi_ok) return NULL;
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
