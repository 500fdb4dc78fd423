/*
 * Benchmark HTTP/1.1 server for bench/run.py.
 *
 * Every response is read from a file at start-up and sent with one write
 * loop, so the server spends a few microseconds per request: the client
 * under test, not the server, sets the pace. A Python server would cost
 * more per request than the bare-socket "limit" client it is serving.
 *
 *   server ROUTES MODE [CERT_KEY_PEM]
 *
 * ROUTES: lines "METHOD PATH FILE"; FILE holds the complete response
 * (status line, headers, body). Unknown routes get a 404.
 * MODE:   "plain"    default socket options, so delayed ACK and Nagle
 *                    behave as on an ordinary server;
 *         "quickack" TCP_NODELAY on each connection and TCP_QUICKACK
 *                    re-armed after every recv (Linux clears it).
 *
 * CERT_KEY_PEM: serve HTTPS with this certificate chain and key (needs a
 *         build with -DWITH_TLS and OpenSSL; run.py falls back to
 *         tls_server.py otherwise).
 *
 * Listens on 127.0.0.1 on a free port and prints "PORT <n>" on stdout.
 * One thread per connection; runs until killed.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>
#ifdef WITH_TLS
#include <openssl/err.h>
#include <openssl/ssl.h>
#endif

#define MAX_ROUTES 64
#define HEAD_MAX 16384
#define DRAIN_BUF 65536

struct route {
    char method[16];
    char path[256];
    char *data;
    size_t len;
};

static struct route routes[MAX_ROUTES];
static int n_routes;
static int quickack;

#ifdef WITH_TLS
static SSL_CTX *tls_ctx;
#else
typedef void SSL;
#endif

static const char not_found[] =
    "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n";

static char *load_file(const char *name, size_t *len) {
    FILE *f = fopen(name, "rb");
    if (!f) {
        perror(name);
        exit(1);
    }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *p = malloc(n > 0 ? (size_t)n : 1);
    if (!p || fread(p, 1, (size_t)n, f) != (size_t)n) {
        fprintf(stderr, "cannot read %s\n", name);
        exit(1);
    }
    fclose(f);
    *len = (size_t)n;
    return p;
}

static void load_routes(const char *name) {
    FILE *f = fopen(name, "r");
    if (!f) {
        perror(name);
        exit(1);
    }
    char line[1024], file[700];
    while (fgets(line, sizeof line, f) && n_routes < MAX_ROUTES) {
        struct route *r = &routes[n_routes];
        if (sscanf(line, "%15s %255s %699s", r->method, r->path, file) == 3) {
            r->data = load_file(file, &r->len);
            n_routes++;
        }
    }
    fclose(f);
}

static void arm_quickack(int fd) {
    if (quickack) {
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof one);
    }
}

static ssize_t recv_some(int fd, SSL *ssl, char *buf, size_t len) {
    ssize_t n;
#ifdef WITH_TLS
    if (ssl) {
        n = SSL_read(ssl, buf, (int)(len > 1 << 30 ? 1 << 30 : len));
        if (n > 0) {
            arm_quickack(fd);
        }
        return n;
    }
#else
    (void)ssl;
#endif
    do {
        n = recv(fd, buf, len, 0);
    } while (n < 0 && errno == EINTR);
    if (n > 0) {
        arm_quickack(fd);
    }
    return n;
}

static int send_all(int fd, SSL *ssl, const char *p, size_t len) {
#ifdef WITH_TLS
    if (ssl) {
        while (len) {
            int n = SSL_write(ssl, p, (int)(len > 1 << 30 ? 1 << 30 : len));
            if (n <= 0) {
                return -1;
            }
            p += n;
            len -= (size_t)n;
        }
        return 0;
    }
#else
    (void)ssl;
#endif
    while (len) {
        ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return -1;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

static const char *find_head_end(const char *p, size_t len) {
    if (len < 4) {
        return NULL;
    }
    return memmem(p, len, "\r\n\r\n", 4);
}

/* Content-Length of the request head [p, end), 0 if absent. */
static size_t content_length(const char *p, const char *end) {
    static const char name[] = "\r\ncontent-length:";
    size_t nl = sizeof name - 1;
    for (const char *q = p; q + nl <= end; q++) {
        if (q[0] == '\r' && strncasecmp(q, name, nl) == 0) {
            return strtoul(q + nl, NULL, 10);
        }
    }
    return 0;
}

/* "Transfer-Encoding: chunked" request bodies are not used by the bench. */
static const struct route *lookup(const char *head, size_t len) {
    const char *sp1 = memchr(head, ' ', len);
    if (!sp1) {
        return NULL;
    }
    const char *sp2 = memchr(sp1 + 1, ' ', len - (size_t)(sp1 + 1 - head));
    if (!sp2) {
        return NULL;
    }
    size_t ml = (size_t)(sp1 - head), pl = (size_t)(sp2 - sp1 - 1);
    for (int i = 0; i < n_routes; i++) {
        const struct route *r = &routes[i];
        if (strlen(r->method) == ml && memcmp(r->method, head, ml) == 0 &&
            strlen(r->path) == pl && memcmp(r->path, sp1 + 1, pl) == 0) {
            return r;
        }
    }
    return NULL;
}

static void *serve(void *arg) {
    int fd = (int)(intptr_t)arg;
    char *buf = malloc(HEAD_MAX + DRAIN_BUF);
    size_t have = 0;
    SSL *ssl = NULL;
    if (quickack) {
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    }
#ifdef WITH_TLS
    if (tls_ctx) {
        ssl = SSL_new(tls_ctx);
        SSL_set_fd(ssl, fd);
        if (SSL_accept(ssl) <= 0) {
            goto done;
        }
    }
#endif
    for (;;) {
        const char *end;
        while (!(end = find_head_end(buf, have))) {
            if (have == HEAD_MAX) {
                goto done;
            }
            ssize_t n = recv_some(fd, ssl, buf + have, HEAD_MAX - have);
            if (n <= 0) {
                goto done;
            }
            have += (size_t)n;
        }
        size_t head_len = (size_t)(end + 4 - buf);
        size_t body = content_length(buf, end + 2);
        const struct route *r = lookup(buf, head_len);

        /* Body bytes already buffered, then the rest straight off the wire. */
        size_t in_buf = have - head_len;
        size_t take = in_buf < body ? in_buf : body;
        memmove(buf, buf + head_len + take, in_buf - take);
        have = in_buf - take;
        body -= take;
        while (body) {
            size_t want = body < DRAIN_BUF ? body : DRAIN_BUF;
            ssize_t n = recv_some(fd, ssl, buf + HEAD_MAX, want);
            if (n <= 0) {
                goto done;
            }
            body -= (size_t)n;
        }

        int rc = r ? send_all(fd, ssl, r->data, r->len)
                   : send_all(fd, ssl, not_found, sizeof not_found - 1);
        if (rc < 0) {
            goto done;
        }
    }
done:
#ifdef WITH_TLS
    if (ssl) {
        SSL_free(ssl);
    }
#endif
    close(fd);
    free(buf);
    return NULL;
}

int main(int argc, char **argv) {
    if (argc != 3 && argc != 4) {
        fprintf(stderr, "usage: %s ROUTES plain|quickack [CERT_KEY_PEM]\n", argv[0]);
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    load_routes(argv[1]);
    quickack = strcmp(argv[2], "quickack") == 0;
    if (argc == 4) {
#ifdef WITH_TLS
        tls_ctx = SSL_CTX_new(TLS_server_method());
        if (!tls_ctx || SSL_CTX_use_certificate_chain_file(tls_ctx, argv[3]) != 1 ||
            SSL_CTX_use_PrivateKey_file(tls_ctx, argv[3], SSL_FILETYPE_PEM) != 1) {
            ERR_print_errors_fp(stderr);
            return 1;
        }
#else
        fprintf(stderr, "built without TLS\n");
        return 1;
#endif
    }

    int ls = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(ls, (struct sockaddr *)&a, sizeof a) < 0 || listen(ls, 64) < 0) {
        perror("bind/listen");
        return 1;
    }
    socklen_t al = sizeof a;
    getsockname(ls, (struct sockaddr *)&a, &al);
    printf("PORT %d\n", ntohs(a.sin_port));
    fflush(stdout);

    for (;;) {
        int fd = accept(ls, NULL, NULL);
        if (fd < 0) {
            if (errno == EINTR) {
                continue;
            }
            perror("accept");
            return 1;
        }
        pthread_t t;
        pthread_attr_t attr;
        pthread_attr_init(&attr);
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        if (pthread_create(&t, &attr, serve, (void *)(intptr_t)fd) != 0) {
            close(fd);
        }
        pthread_attr_destroy(&attr);
    }
}
