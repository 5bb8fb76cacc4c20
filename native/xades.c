// The canonical-run scanner behind src/esign/xades/c14n-scan.ts: from a position inside the root element, it
// passes over the markup exclusive c14n leaves as it is (character data without CR, `>` or references other than
// &amp; &lt; &gt;; start tags already in canonical form that declare no namespace; end tags) and stops at the
// first thing c14n would change or that needs namespace bookkeeping, leaving that to the JavaScript scanner.
// It writes nothing and hashes nothing: the bytes it passes over are canonical as they stand.
// Beside it, SHA-256 of a buffer on the process's hashing thread (OpenSSL from the node binary), so a digest the
// caller will need is computed while it goes on scanning or writing; and base64 written straight into a buffer,
// for the content of an ENVELOPING ds:Object, without a string in between.
// SCHED_BATCH
#define _GNU_SOURCE
#include <node_api.h>
#include <sched.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

// 1: a byte character data cannot pass over unexamined.
static uint8_t text_stop[256];
// 1: a byte an attribute value cannot hold and stay canonical as written (quote checked separately).
static uint8_t attr_stop[256];
// 1: ASCII name start character except the colon; 2: other ASCII name character. Non-ASCII: 0 (left to JS).
static uint8_t name_char[256];

static void init_tables(void) {
  for (int c = 0; c < 256; c++) {
    text_stop[c] = (c < 0x20 && c != 0x09 && c != 0x0a) || c == '<' || c == '&' || c == '>' || c == ']' || c == 0xef;
    attr_stop[c] = c < 0x20 || c == '<' || c == '&' || c == '"' || c == 0xef;
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_') name_char[c] = 1;
    else if ((c >= '0' && c <= '9') || c == '.' || c == '-') name_char[c] = 2;
  }
}

typedef struct {
  const uint8_t* b;
  size_t n;
  int32_t* names;
  size_t names_len;
  const uint8_t* prefixes;
  size_t prefixes_len;
  int default_simple;
} scan_t;

// End of the ASCII name at `at` (one colon allowed inside, returned in *colon), or 0 when not one.
static size_t ascii_name(const scan_t* s, size_t at, size_t* colon) {
  if (at >= s->n || name_char[s->b[at]] != 1) return 0;
  size_t j = at + 1;
  *colon = 0;
  for (; j < s->n; j++) {
    uint8_t c = s->b[j];
    if (name_char[c]) continue;
    if (c != ':' || *colon) break;
    *colon = j;
  }
  if (*colon && (*colon + 1 == j || name_char[s->b[*colon + 1]] != 1)) return 0;
  return j;
}

// Whether the element prefix `b[at..colon]` (with its colon) is one whose binding c14n has rendered unchanged.
static int simple_prefix(const scan_t* s, size_t at, size_t colon) {
  size_t len = colon + 1 - at;
  const uint8_t* p = s->prefixes;
  const uint8_t* end = p + s->prefixes_len;
  while (p < end) {
    const uint8_t* stop = memchr(p, ':', (size_t)(end - p));
    if (!stop) return 0;
    size_t plen = (size_t)(stop - p) + 1;
    if (plen == len && memcmp(p, s->b + at, len) == 0) return 1;
    p = stop + 1;
  }
  return 0;
}

static int compare_names(const uint8_t* b, size_t as, size_t ae, size_t bs, size_t be) {
  size_t la = ae - as, lb = be - bs;
  int d = memcmp(b + as, b + bs, la < lb ? la : lb);
  return d != 0 ? d : (la < lb ? -1 : la > lb ? 1 : 0);
}

// A start tag at `at` in canonical form: its end (after `>`), or 0 to leave it to JS.
static size_t start_tag(const scan_t* s, size_t at, size_t* name_end) {
  const uint8_t* b = s->b;
  size_t colon;
  size_t ne = ascii_name(s, at + 1, &colon);
  if (!ne) return 0;
  if (colon ? !simple_prefix(s, at + 1, colon) : !s->default_simple) return 0;
  size_t local = colon ? colon + 1 : at + 1;
  if (ne - local == 9 && memcmp(b + local, "Signature", 9) == 0) return 0;
  size_t j = ne, prev_s = 0, prev_e = 0;
  for (;;) {
    if (j >= s->n) return 0;
    if (b[j] == '>') break;
    if (b[j] != ' ') return 0;
    size_t as = j + 1, acolon;
    size_t ae = ascii_name(s, as, &acolon);
    if (!ae || acolon) return 0;
    if (ae - as == 5 && memcmp(b + as, "xmlns", 5) == 0) return 0;
    if (prev_e && compare_names(b, prev_s, prev_e, as, ae) >= 0) return 0;
    if (ae + 1 >= s->n || b[ae] != '=' || b[ae + 1] != '"') return 0;
    j = ae + 2;
    for (;;) {
      if (j >= s->n) return 0;
      uint8_t c = b[j];
      if (!attr_stop[c]) { j++; continue; }
      if (c == '"') break;
      if (c != 0xef || (j + 2 < s->n && b[j + 1] == 0xbf && (b[j + 2] == 0xbe || b[j + 2] == 0xbf))) return 0;
      j++;
    }
    j++;
    prev_s = as;
    prev_e = ae;
  }
  *name_end = ne;
  return j + 1;
}

// Scans from state[0] at depth state[1], never closing below depth state[2]; writes back the position and depth.
// It also closes elements JS opened, when their names entry says they changed no namespaces.
static size_t scan(const scan_t* s, size_t i, int32_t* depth, int32_t base) {
  const uint8_t* b = s->b;
  const size_t n = s->n;
  for (;;) {
    while (i < n && !text_stop[b[i]]) i++;
    if (i >= n) return i;
    uint8_t c = b[i];
    if (c == '&') {
      if (i + 4 < n && memcmp(b + i, "&amp;", 5) == 0) i += 5;
      else if (i + 3 < n && (memcmp(b + i, "&lt;", 4) == 0 || memcmp(b + i, "&gt;", 4) == 0)) i += 4;
      else return i;
      continue;
    }
    if (c == ']') {
      if (i + 2 < n && b[i + 1] == ']' && b[i + 2] == '>') return i;
      i++;
      continue;
    }
    if (c == 0xef) {
      if (i + 2 < n && b[i + 1] == 0xbf && (b[i + 2] == 0xbe || b[i + 2] == 0xbf)) return i;
      i++;
      continue;
    }
    if (c != '<' || i + 1 >= n) return i;
    if (b[i + 1] == '/') {
      if (*depth <= base) return i;
      const int32_t* top = s->names + 3 * (size_t)(*depth - 1);
      // An element that changed the namespaces in scope is closed by JS, which restores them.
      if (top[2] != 0) return i;
      size_t len = (size_t)(top[1] - top[0]);
      size_t e = i + 2 + len;
      if (e >= n || memcmp(b + i + 2, b + top[0], len) != 0 || b[e] != '>') return i;
      (*depth)--;
      i = e + 1;
      continue;
    }
    if (b[i + 1] == '!' || b[i + 1] == '?') return i;
    if (3 * (size_t)(*depth + 1) > s->names_len) return i;
    size_t name_end;
    size_t end = start_tag(s, i, &name_end);
    if (!end) return i;
    int32_t* k = s->names + 3 * (size_t)*depth;
    k[0] = (int32_t)(i + 1);
    k[1] = (int32_t)name_end;
    k[2] = 0;
    (*depth)++;
    i = end;
  }
}

// The call's arguments, up to `max` (missing ones are undefined); returns how many were passed.
static size_t arguments(napi_env env, napi_callback_info info, napi_value* argv, size_t max) {
  size_t argc = max;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return 0;
  return argc;
}

static int typed_array(napi_env env, napi_value v, napi_typedarray_type want, void** data, size_t* length) {
  napi_typedarray_type type;
  napi_value ab;
  size_t offset;
  return napi_get_typedarray_info(env, v, &type, length, data, &ab, &offset) == napi_ok && type == want;
}

// scanCanonicalRun(document: Uint8Array, state: Int32Array [position, depth, base depth, default namespace simple],
//                  names: Int32Array, simplePrefixes: Uint8Array ("p:q:")): void
static napi_value scan_canonical_run(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  size_t argc = arguments(env, info, argv, 4);
  scan_t s;
  void *doc, *state, *names, *prefixes;
  size_t state_len;
  if (argc < 4 || !typed_array(env, argv[0], napi_uint8_array, &doc, &s.n) || !typed_array(env, argv[1], napi_int32_array, &state, &state_len) ||
      state_len < 4 || !typed_array(env, argv[2], napi_int32_array, &names, &s.names_len) ||
      !typed_array(env, argv[3], napi_uint8_array, &prefixes, &s.prefixes_len)) {
    napi_throw_type_error(env, NULL, "scanCanonicalRun(document, state, names, prefixes): wrong arguments");
    return NULL;
  }
  int32_t* st = state;
  if (st[0] < 0 || (size_t)st[0] > s.n || st[1] < st[2] || st[2] < 0 || 3 * (size_t)st[1] > s.names_len) {
    napi_throw_range_error(env, NULL, "scanCanonicalRun: state out of range");
    return NULL;
  }
  s.b = doc;
  s.names = names;
  s.prefixes = prefixes;
  s.default_simple = st[3];
  int32_t depth = st[1];
  st[0] = (int32_t)scan(&s, (size_t)st[0], &depth, st[2]);
  st[1] = depth;
  return NULL;
}

// A SHA-256 over bytes the job keeps alive (a reference to their view) until it is finished or collected.
typedef struct sha_job {
  struct sha_job* next;
  const uint8_t* data;
  size_t length;
  atomic_int cancel;
  int state;  // JOB_QUEUED, JOB_RUNNING or JOB_DONE, under hasher.lock
  int ok;
  unsigned char digest[32];
  napi_ref view;
} sha_job;

enum { JOB_QUEUED, JOB_RUNNING, JOB_DONE };

// Marks the externals that are jobs, so finishSha256 takes no other.
static const napi_type_tag SHA_JOB_TAG = {0x696d7a616c61u, 0x7368613235366a62u};

// Checked between chunks, so a cancelled job stops within about a tenth of a millisecond.
#define SHA_CHUNK (256 * 1024)

static void sha_compute(sha_job* job) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  int ok = ctx != NULL && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1;
  for (size_t at = 0; ok && at < job->length; at += SHA_CHUNK) {
    if (atomic_load_explicit(&job->cancel, memory_order_relaxed)) ok = 0;
    else ok = EVP_DigestUpdate(ctx, job->data + at, job->length - at < SHA_CHUNK ? job->length - at : SHA_CHUNK) == 1;
  }
  job->ok = ok && EVP_DigestFinal_ex(ctx, job->digest, NULL) == 1;
  EVP_MD_CTX_free(ctx);
}

// One hashing thread for the process, started with the module and kept. A thread per job cost about 40 µs (waking
// this one about 35), and the first such thread paid OpenSSL's first lookup of SHA-256 and its own start, about
// 0.4 ms, inside the first large document's time; this thread pays them at load.
static struct {
  pthread_mutex_t lock;
  pthread_cond_t queued;
  pthread_cond_t finished;
  sha_job* head;
  sha_job* tail;
  int running;
} hasher = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, PTHREAD_COND_INITIALIZER, NULL, NULL, 0};

static void* hasher_main(void* arg) {
  (void)arg;
#ifdef SCHED_BATCH
  // Woken, a batch thread does not preempt the thread that queued the job, which would then wait for the whole
  // digest on its own CPU while the other idles. On the bench's 1 MB enveloped XML, the median of five signings
  // fell in that slow mode (2.5–2.9 ms instead of 1.6–1.8) in 21 of 36 processes without it, 7 of 36 with it.
  struct sched_param batch = {0};
  pthread_setschedparam(pthread_self(), SCHED_BATCH, &batch);
#endif
  sha_job warm = {0};
  sha_compute(&warm);
  for (;;) {
    pthread_mutex_lock(&hasher.lock);
    while (!hasher.head) pthread_cond_wait(&hasher.queued, &hasher.lock);
    sha_job* job = hasher.head;
    hasher.head = job->next;
    if (!hasher.head) hasher.tail = NULL;
    job->state = JOB_RUNNING;
    pthread_mutex_unlock(&hasher.lock);
    sha_compute(job);
    pthread_mutex_lock(&hasher.lock);
    job->state = JOB_DONE;
    pthread_cond_broadcast(&hasher.finished);
    pthread_mutex_unlock(&hasher.lock);
  }
  return NULL;
}

static void hasher_start(void) {
  pthread_t thread;
  if (pthread_create(&thread, NULL, hasher_main, NULL) != 0) return;
  pthread_detach(thread);
  hasher.running = 1;
}

// Queues the job, or computes it here when the thread could not be started.
static void sha_submit(sha_job* job) {
  if (!hasher.running) {
    sha_compute(job);
    job->state = JOB_DONE;
    return;
  }
  pthread_mutex_lock(&hasher.lock);
  if (hasher.tail) hasher.tail->next = job;
  else hasher.head = job;
  hasher.tail = job;
  pthread_cond_signal(&hasher.queued);
  pthread_mutex_unlock(&hasher.lock);
}

// Takes a job the thread has not started off its queue; whether it did.
static int sha_unqueue(sha_job* job) {
  if (job->state != JOB_QUEUED) return 0;
  sha_job** link = &hasher.head;
  sha_job* previous = NULL;
  while (*link != job) {
    previous = *link;
    link = &(*link)->next;
  }
  *link = job->next;
  if (hasher.tail == job) hasher.tail = previous;
  return 1;
}

// Until the thread is done with the job, then lets its bytes go. A job still queued is computed here: when the
// thread's CPU was idle, waking it can take longer than the digest itself.
static void sha_wait(napi_env env, sha_job* job) {
  pthread_mutex_lock(&hasher.lock);
  int unqueued = sha_unqueue(job);
  while (!unqueued && job->state != JOB_DONE) pthread_cond_wait(&hasher.finished, &hasher.lock);
  pthread_mutex_unlock(&hasher.lock);
  if (unqueued) {
    sha_compute(job);
    job->state = JOB_DONE;
  }
  if (job->view) {
    napi_delete_reference(env, job->view);
    job->view = NULL;
  }
}

static void sha_finalize(napi_env env, void* data, void* hint) {
  (void)hint;
  sha_job* job = data;
  atomic_store(&job->cancel, 1);
  sha_wait(env, job);
  free(job);
}

// startSha256(bytes: Uint8Array): job. The bytes must not change until finishSha256.
static napi_value start_sha256(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  size_t argc = arguments(env, info, argv, 1);
  void* data;
  size_t length;
  if (argc < 1 || !typed_array(env, argv[0], napi_uint8_array, &data, &length)) {
    napi_throw_type_error(env, NULL, "startSha256(bytes: Uint8Array)");
    return NULL;
  }
  sha_job* job = calloc(1, sizeof *job);
  if (!job) {
    napi_throw_error(env, NULL, "startSha256: out of memory");
    return NULL;
  }
  job->data = data;
  job->length = length;
  atomic_init(&job->cancel, 0);
  napi_value external;
  if (napi_create_reference(env, argv[0], 1, &job->view) != napi_ok) {
    free(job);
    napi_throw_error(env, NULL, "startSha256: could not hold the bytes");
    return NULL;
  }
  sha_submit(job);
  if (napi_create_external(env, job, sha_finalize, NULL, &external) != napi_ok) {
    sha_finalize(env, job, NULL);
    napi_throw_error(env, NULL, "startSha256: could not create the job");
    return NULL;
  }
  // From here the external owns the job: its finalizer stops and frees it.
  if (napi_type_tag_object(env, external, &SHA_JOB_TAG) != napi_ok) {
    napi_throw_error(env, NULL, "startSha256: could not tag the job");
    return NULL;
  }
  return external;
}

// finishSha256(job, cancel: boolean): the 32-byte digest, waiting for it; null when cancelled (or failed).
static napi_value finish_sha256(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  size_t argc = arguments(env, info, argv, 2);
  sha_job* job;
  napi_valuetype type;
  bool cancel = false;
  bool tagged = false;
  if (argc < 2 || napi_typeof(env, argv[0], &type) != napi_ok || type != napi_external || napi_check_object_type_tag(env, argv[0], &SHA_JOB_TAG, &tagged) != napi_ok ||
      !tagged || napi_get_value_external(env, argv[0], (void**)&job) != napi_ok || napi_get_value_bool(env, argv[1], &cancel) != napi_ok) {
    napi_throw_type_error(env, NULL, "finishSha256(job, cancel: boolean)");
    return NULL;
  }
  if (cancel) atomic_store(&job->cancel, 1);
  sha_wait(env, job);
  napi_value result;
  if (!job->ok || atomic_load(&job->cancel)) {
    napi_get_null(env, &result);
    return result;
  }
  void* out;
  napi_create_buffer_copy(env, 32, job->digest, &out, &result);
  return result;
}

// Two base64 characters for each 12 bits.
static uint16_t base64_pairs[4096];

static void init_base64(void) {
  static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  for (int i = 0; i < 4096; i++) {
    uint8_t pair[2] = {(uint8_t)alphabet[i >> 6], (uint8_t)alphabet[i & 63]};
    memcpy(&base64_pairs[i], pair, 2);
  }
}

// encodeBase64Into(source: Uint8Array, target: Uint8Array, offset: number): the number of bytes written (padded base64).
static napi_value encode_base64_into(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  size_t argc = arguments(env, info, argv, 3);
  void *src_data, *dst_data;
  size_t n, dst_len;
  int64_t offset;
  if (argc < 3 || !typed_array(env, argv[0], napi_uint8_array, &src_data, &n) || !typed_array(env, argv[1], napi_uint8_array, &dst_data, &dst_len) ||
      napi_get_value_int64(env, argv[2], &offset) != napi_ok) {
    napi_throw_type_error(env, NULL, "encodeBase64Into(source: Uint8Array, target: Uint8Array, offset: number)");
    return NULL;
  }
  size_t out_len = (n + 2) / 3 * 4;
  if (offset < 0 || (size_t)offset > dst_len || dst_len - (size_t)offset < out_len) {
    napi_throw_range_error(env, NULL, "encodeBase64Into: the target has no room for the base64");
    return NULL;
  }
  const uint8_t* src = src_data;
  uint8_t* dst = (uint8_t*)dst_data + offset;
  size_t i = 0;
  for (; i + 3 <= n; i += 3, dst += 4) {
    uint32_t v = (uint32_t)src[i] << 16 | (uint32_t)src[i + 1] << 8 | src[i + 2];
    memcpy(dst, &base64_pairs[v >> 12], 2);
    memcpy(dst + 2, &base64_pairs[v & 4095], 2);
  }
  if (i < n) {
    uint32_t v = (uint32_t)src[i] << 16 | (i + 1 < n ? (uint32_t)src[i + 1] << 8 : 0);
    memcpy(dst, &base64_pairs[v >> 12], 2);
    memcpy(dst + 2, &base64_pairs[v & 4095], 2);
    dst[3] = '=';
    if (i + 1 == n) dst[2] = '=';
  }
  napi_value written;
  napi_create_int64(env, (int64_t)out_len, &written);
  return written;
}

static void init_once(void) {
  init_tables();
  init_base64();
  hasher_start();
}

NAPI_MODULE_INIT() {
  // Worker threads load the module too: the shared tables and the hashing thread are set up once.
  static pthread_once_t once = PTHREAD_ONCE_INIT;
  pthread_once(&once, init_once);
  const struct { const char* name; napi_callback fn; } exported[] = {
    {"scanCanonicalRun", scan_canonical_run}, {"startSha256", start_sha256}, {"finishSha256", finish_sha256}, {"encodeBase64Into", encode_base64_into}};
  for (size_t i = 0; i < sizeof exported / sizeof exported[0]; i++) {
    napi_value fn;
    napi_create_function(env, exported[i].name, NAPI_AUTO_LENGTH, exported[i].fn, NULL, &fn);
    napi_set_named_property(env, exports, exported[i].name, fn);
  }
  return exports;
}
