#include "CCurl.h"
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

// The functions of libcurl this project calls, bound by `load`.
static struct {
    CURLcode (*global_init)(long flags);
    CURL *(*easy_init)(void);
    void (*easy_cleanup)(CURL *handle);
    CURLcode (*easy_setopt)(CURL *handle, CURLoption option, ...);
    CURLcode (*easy_getinfo)(CURL *handle, CURLINFO info, ...);
    CURLM *(*multi_init)(void);
    CURLMcode (*multi_setopt)(CURLM *multi, CURLMoption option, ...);
    CURLMcode (*multi_add_handle)(CURLM *multi, CURL *handle);
    CURLMcode (*multi_remove_handle)(CURLM *multi, CURL *handle);
    CURLMcode (*multi_perform)(CURLM *multi, int *running);
    CURLMcode (*multi_poll)(CURLM *multi, struct curl_waitfd extra[], unsigned int count, int timeout_ms, int *ready);
    CURLMcode (*multi_wakeup)(CURLM *multi);
    CURLMsg *(*multi_info_read)(CURLM *multi, int *left);
    struct curl_slist *(*slist_append)(struct curl_slist *list, const char *text);
    void (*slist_free_all)(struct curl_slist *list);
} api;

static pthread_once_t loaded = PTHREAD_ONCE_INIT;
static char failure[512];

#define BIND(name)                                                                                \
    if (!(*(void **)&api.name = dlsym(library, "curl_" #name))) {                                 \
        snprintf(failure, sizeof failure, "libcurl.so.4 has no curl_%s (libcurl too old)", #name); \
        return;                                                                                   \
    }

static void load(void) {
    void *library = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
    if (!library) {
        snprintf(failure, sizeof failure, "cannot load libcurl (install libcurl4): %s", dlerror());
        return;
    }
    BIND(global_init)
    BIND(easy_init)
    BIND(easy_cleanup)
    BIND(easy_setopt)
    BIND(easy_getinfo)
    BIND(multi_init)
    BIND(multi_setopt)
    BIND(multi_add_handle)
    BIND(multi_remove_handle)
    BIND(multi_perform)
    BIND(multi_poll)
    BIND(multi_wakeup)
    BIND(multi_info_read)
    BIND(slist_append)
    BIND(slist_free_all)
    CURLcode code = api.global_init(CURL_GLOBAL_ALL);
    if (code != CURLE_OK) snprintf(failure, sizeof failure, "curl_global_init failed with code %d", (int)code);
}

const char *ccurl_load(void) {
    pthread_once(&loaded, load);
    return failure[0] ? failure : NULL;
}

CURL *ccurl_easy_init(void) { return api.easy_init(); }
void ccurl_easy_cleanup(CURL *handle) { api.easy_cleanup(handle); }
CURLcode ccurl_easy_setopt_long(CURL *handle, CURLoption option, long value) { return api.easy_setopt(handle, option, value); }
CURLcode ccurl_easy_setopt_pointer(CURL *handle, CURLoption option, void *value) { return api.easy_setopt(handle, option, value); }
CURLcode ccurl_easy_setopt_string(CURL *handle, CURLoption option, const char *value) {
    return api.easy_setopt(handle, option, value);
}
CURLcode ccurl_easy_setopt_offset(CURL *handle, CURLoption option, curl_off_t value) {
    return api.easy_setopt(handle, option, value);
}
CURLcode ccurl_easy_setopt_callback(CURL *handle, CURLoption option, ccurl_data_callback callback) {
    return api.easy_setopt(handle, option, callback);
}
CURLcode ccurl_easy_getinfo_long(CURL *handle, CURLINFO info, long *value) { return api.easy_getinfo(handle, info, value); }

CURLM *ccurl_multi_init(void) { return api.multi_init(); }
CURLMcode ccurl_multi_setopt_long(CURLM *multi, CURLMoption option, long value) { return api.multi_setopt(multi, option, value); }
CURLMcode ccurl_multi_add_handle(CURLM *multi, CURL *handle) { return api.multi_add_handle(multi, handle); }
CURLMcode ccurl_multi_remove_handle(CURLM *multi, CURL *handle) { return api.multi_remove_handle(multi, handle); }
CURLMcode ccurl_multi_perform(CURLM *multi, int *running) { return api.multi_perform(multi, running); }
CURLMcode ccurl_multi_poll(CURLM *multi, int timeout_ms) { return api.multi_poll(multi, NULL, 0, timeout_ms, NULL); }
CURLMcode ccurl_multi_wakeup(CURLM *multi) { return api.multi_wakeup(multi); }
CURLMsg *ccurl_multi_info_read(CURLM *multi, int *left) { return api.multi_info_read(multi, left); }

struct curl_slist *ccurl_slist_append(struct curl_slist *list, const char *text) { return api.slist_append(list, text); }
void ccurl_slist_free_all(struct curl_slist *list) { api.slist_free_all(list); }
