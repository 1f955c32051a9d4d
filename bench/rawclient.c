/* rawclient: the least a client can do per node, as a ceiling for the latency benchmark.
 *
 * Fetches http://NODE/PATH for every node in NODES_FILE (host:port per line, IPv4 literals
 * only) with at most CONCURRENCY connections in flight, from one epoll loop: non-blocking
 * connect, one write of a fixed request with `Connection: close`, read until the peer closes,
 * close. Nothing is parsed, stored or retried; a connection that has not finished after
 * TIMEOUT ms is dropped. It answers "how many nodes/s do this machine's kernel and the fake
 * cluster allow, whatever the client?", so the benchmark can say which part of the gap to a
 * target is the client's and which the machine's. Not a product: Artemis uses Qt's
 * QNetworkAccessManager.
 *
 *   rawclient --nodes-file nodes.txt [--concurrency 256] [--path metric] [--timeout-ms 5000]
 *
 * Prints one line: "nodes N answered A failed F seconds S nodes_per_s R cpu_s_per_1k C".
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

struct node {
    struct sockaddr_in addr;
    char host[300];
};

struct slot {
    int fd;
    int64_t deadline_ms;
    size_t sent;
    size_t node;
    int in_use;
};

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what)
{
    perror(what);
    exit(1);
}

int main(int argc, char **argv)
{
    const char *nodes_file = NULL;
    const char *path = "metric";
    int concurrency = 256;
    int timeout_ms = 5000;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--nodes-file")) nodes_file = argv[i + 1];
        else if (!strcmp(argv[i], "--concurrency")) concurrency = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--path")) path = argv[i + 1];
        else if (!strcmp(argv[i], "--timeout-ms")) timeout_ms = atoi(argv[i + 1]);
        else { fprintf(stderr, "unknown argument %s\n", argv[i]); return 2; }
    }
    if (!nodes_file || concurrency < 1 || timeout_ms < 1) {
        fprintf(stderr, "usage: rawclient --nodes-file FILE [--concurrency N] [--path P] "
                        "[--timeout-ms MS]\n");
        return 2;
    }

    FILE *in = fopen(nodes_file, "r");
    if (!in) die(nodes_file);
    size_t count = 0, cap = 1024;
    struct node *nodes = malloc(cap * sizeof *nodes);
    char line[256];
    while (fgets(line, sizeof line, in)) {
        char *colon = strrchr(line, ':');
        if (!colon) continue;
        *colon = 0;
        if (count == cap) {
            cap *= 2;
            nodes = realloc(nodes, cap * sizeof *nodes);
        }
        struct node *n = &nodes[count];
        memset(n, 0, sizeof *n);
        n->addr.sin_family = AF_INET;
        n->addr.sin_port = htons((uint16_t)atoi(colon + 1));
        if (inet_pton(AF_INET, line, &n->addr.sin_addr) != 1) {
            fprintf(stderr, "not an IPv4 literal: %s\n", line);
            return 2;
        }
        snprintf(n->host, sizeof n->host, "%s:%d", line, atoi(colon + 1));
        ++count;
    }
    fclose(in);

    int ep = epoll_create1(EPOLL_CLOEXEC);
    if (ep < 0) die("epoll_create1");
    struct slot *slots = calloc((size_t)concurrency, sizeof *slots);
    size_t next = 0, ok = 0, failed = 0, active = 0;
    char request[512];
    char buf[65536];
    struct epoll_event events[512];
    const double start = now_s();

    for (;;) {
        /* fill free slots */
        for (int s = 0; s < concurrency && next < count; ++s) {
            if (slots[s].in_use) continue;
            int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
            if (fd < 0) die("socket");
            const int one = 1;
            setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
            const size_t n = next++;
            if (connect(fd, (struct sockaddr *)&nodes[n].addr, sizeof nodes[n].addr) < 0 &&
                errno != EINPROGRESS) {
                close(fd);
                ++failed;
                --s; /* try the slot again with the next node */
                continue;
            }
            slots[s] = (struct slot){.fd = fd, .deadline_ms = now_ms() + timeout_ms, .node = n,
                                     .in_use = 1};
            struct epoll_event ev = {.events = EPOLLOUT | EPOLLIN | EPOLLRDHUP, .data.u32 = (uint32_t)s};
            if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) < 0) die("epoll_ctl");
            ++active;
        }
        if (active == 0) break;
        const int n = epoll_wait(ep, events, 512, 50);
        if (n < 0 && errno != EINTR) die("epoll_wait");
        for (int e = 0; e < n; ++e) {
            struct slot *sl = &slots[events[e].data.u32];
            if (!sl->in_use) continue;
            int done = 0, good = 0;
            if (events[e].events & EPOLLERR) {
                done = 1;
            } else {
                if (!sl->sent && (events[e].events & EPOLLOUT)) {
                    const int len = snprintf(request, sizeof request,
                                             "GET /%s HTTP/1.1\r\nHost: %s\r\nAccept: "
                                             "application/json\r\nConnection: close\r\n\r\n",
                                             path, nodes[sl->node].host);
                    if (write(sl->fd, request, (size_t)len) != len) {
                        done = 1;
                    } else {
                        sl->sent = 1;
                        struct epoll_event ev = {.events = EPOLLIN | EPOLLRDHUP,
                                                 .data.u32 = events[e].data.u32};
                        epoll_ctl(ep, EPOLL_CTL_MOD, sl->fd, &ev);
                    }
                }
                if (!done && (events[e].events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP))) {
                    for (;;) {
                        const ssize_t r = read(sl->fd, buf, sizeof buf);
                        if (r > 0) continue;
                        if (r == 0) { done = 1; good = sl->sent; }
                        else if (errno != EAGAIN) done = 1;
                        break;
                    }
                }
            }
            if (done) {
                close(sl->fd);
                sl->in_use = 0;
                --active;
                if (good) ++ok; else ++failed;
            }
        }
        const int64_t t = now_ms();
        for (int s = 0; s < concurrency; ++s) {
            if (slots[s].in_use && slots[s].deadline_ms <= t) {
                close(slots[s].fd);
                slots[s].in_use = 0;
                --active;
                ++failed;
            }
        }
    }
    const double seconds = now_s() - start;
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    const double cpu = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
                       (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
    printf("nodes %zu answered %zu failed %zu seconds %.3f nodes_per_s %.0f cpu_s_per_1k %.3f\n", count,
           ok, failed, seconds, (double)count / seconds, count ? cpu / (double)count * 1000 : 0);
    free(slots);
    free(nodes);
    return 0;
}
