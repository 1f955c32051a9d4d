/* fakecluster: a cluster of fake metric nodes on loopback, for benchmarks.
 *
 * One epoll loop serves COUNT nodes, answers each request with a JSON body after DELAY ms and
 * closes the connection. Node i is 127.0.0.1+(i / PORTS) : BASE + (i % PORTS): with more nodes
 * than PORTS they spread over 127.0.0.2, 127.0.0.3, ... and one listener per port (bound to the
 * wildcard address) serves them all. That is only allowed inside a network namespace whose
 * only interface is loopback (`unshare -n`; checked at start), so nothing is reachable from
 * outside; with COUNT <= PORTS each listener binds 127.0.0.1 and no namespace is needed.
 * By node index i, i % 100 chooses a behaviour so that the mix is exact and reproducible:
 *   0           .. hang-1            : accept and read, never answer (the client must time out)
 *   hang        .. hang+refuse-1     : port BASE+PORTS+(i % PORTS), not listened on (refused)
 *   hang+refuse .. +error-1          : HTTP 500 after the delay
 *   the rest                         : HTTP 200, JSON body of about BODY bytes, after the delay
 * With --keep-alive 1 a connection stays open after its answer (Connection: keep-alive) for the
 * next request, unless that request said `Connection: close`; the final counters then show how
 * many connections were accepted for how many answers.
 * It writes the node list (host:port per line, every node including refused ones) to NODES_FILE,
 * prints "ready" on stdout once listening, and runs until SIGTERM/SIGINT, then prints counters.
 *
 *   fakecluster --count 10000 --delay-ms 20 --hang 1 --refuse 1 --error 1 --nodes-file nodes.txt
 *   unshare -n sh -c 'ip link set lo up; fakecluster --count 100000 --ports 1000 ...' 
 *
 * Needs one fd per port plus one per open connection. Plain C and Linux epoll so that the fake side costs little CPU next to the
 * client being measured.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <net/if.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum kind { K_OK, K_HANG, K_ERROR };

struct conn {
    int fd;
    enum kind kind;
    int listener; /* 1 for a listening socket */
    int answered;
    int close_asked;   /* the request said Connection: close */
    size_t got;        /* request bytes seen (we only look for the blank line) */
    char tail[3];      /* last bytes seen, to find "\r\n\r\n" across reads */
    int64_t due_ms;    /* when to answer */
    struct conn *next; /* in the answer queue (FIFO: the delay is constant) */
};

static volatile sig_atomic_t stop_flag = 0;
static void on_signal(int sig) { (void)sig; stop_flag = 1; }

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void die(const char *what)
{
    perror(what);
    exit(1);
}

static struct conn *queue_head = NULL, *queue_tail = NULL;
static unsigned long long n_ok = 0, n_error = 0, n_hung = 0, n_accepted = 0;
static char *ok_response, *error_response, *ok_response_ka, *error_response_ka;
static size_t ok_len, error_len, ok_ka_len, error_ka_len;
static int g_keep_alive = 0;

/* Case-insensitive search for "connection: close" (requests are small: one read). */
static int asks_close(const char *data, size_t len)
{
    static const char needle[] = "connection: close";
    const size_t n = sizeof needle - 1;
    for (size_t i = 0; i + n <= len; ++i) {
        size_t j = 0;
        while (j < n && (data[i + j] | 0x20) == needle[j]) ++j; /* needle: lower case, " ", ":" */
        if (j == n) return 1;
    }
    return 0;
}

static void close_conn(int ep, struct conn *c)
{
    epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
    close(c->fd);
    c->fd = -1;
    if (!c->due_ms) {
        free(c); /* not in the queue */
    }
}

static void answer(int ep, struct conn *c)
{
    const int keep = g_keep_alive && !c->close_asked;
    const char *data = c->kind == K_ERROR ? (keep ? error_response_ka : error_response)
                                          : (keep ? ok_response_ka : ok_response);
    size_t len = c->kind == K_ERROR ? (keep ? error_ka_len : error_len) : (keep ? ok_ka_len : ok_len);
    /* Responses are small: one write fits the socket buffer on loopback. */
    ssize_t w = write(c->fd, data, len);
    (void)w;
    if (c->kind == K_ERROR) {
        n_error++;
    } else {
        n_ok++;
    }
    if (keep) {
        /* ready for the next request on this connection */
        c->answered = 0;
        c->got = 0;
        c->close_asked = 0;
        c->next = NULL;
        return;
    }
    shutdown(c->fd, SHUT_WR);
    close_conn(ep, c);
}

/* True when every interface with an address is a loopback one. */
static int loopback_only(void)
{
    struct ifaddrs *list = NULL;
    if (getifaddrs(&list) < 0) return 0;
    int ok = 1;
    for (struct ifaddrs *i = list; i; i = i->ifa_next) {
        if (i->ifa_addr && !(i->ifa_flags & IFF_LOOPBACK)) ok = 0;
    }
    freeifaddrs(list);
    return ok;
}

static int g_base_port, g_ports, g_hang, g_refuse, g_error;

static enum kind kind_of_node(long long i)
{
    const int slot = (int)(i % 100);
    return slot < g_hang ? K_HANG : slot < g_hang + g_refuse + g_error ? K_ERROR : K_OK;
}

/* The node a connection was made to, from its local (destination) address. */
static long long node_of_socket(int fd)
{
    struct sockaddr_in sa;
    socklen_t len = sizeof sa;
    if (getsockname(fd, (struct sockaddr *)&sa, &len) < 0) return 0;
    const long long ip_index = (long long)ntohl(sa.sin_addr.s_addr) - 0x7f000001LL;
    return ip_index * g_ports + (ntohs(sa.sin_port) - g_base_port);
}

static char *make_response(int status, size_t body_bytes, int keep_alive, size_t *len_out)
{
    char *body = malloc(body_bytes + 256);
    size_t n = (size_t)sprintf(body, "{\"status\":%d,\"cpu\":{\"total\":12.5,\"cores\":[10.0,15.0]},"
                                     "\"memory\":{\"used\":1234567,\"free\":7654321},\"pad\":\"",
                               status);
    while (n + 3 < body_bytes) {
        body[n++] = 'x';
    }
    n += (size_t)sprintf(body + n, "\"}\n");
    char *response = malloc(n + 256);
    size_t h = (size_t)sprintf(response,
                               "HTTP/1.1 %d %s\r\nContent-Type: application/json\r\n"
                               "Content-Length: %zu\r\nConnection: %s\r\n\r\n",
                               status, status == 200 ? "OK" : "Internal Server Error", n,
                               keep_alive ? "keep-alive" : "close");
    memcpy(response + h, body, n);
    free(body);
    *len_out = h + n;
    return response;
}

int main(int argc, char **argv)
{
    int count = 1000, base_port = 20000, ports = 10000, delay_ms = 20, hang = 0, refuse = 0, error = 0;
    size_t body_bytes = 600;
    const char *nodes_file = NULL;
    for (int i = 1; i < argc; ++i) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!v) {
            fprintf(stderr, "option %s needs a value\n", a);
            return 2;
        }
        if (!strcmp(a, "--count")) count = atoi(v);
        else if (!strcmp(a, "--base-port")) base_port = atoi(v);
        else if (!strcmp(a, "--ports")) ports = atoi(v);
        else if (!strcmp(a, "--delay-ms")) delay_ms = atoi(v);
        else if (!strcmp(a, "--hang")) hang = atoi(v);
        else if (!strcmp(a, "--refuse")) refuse = atoi(v);
        else if (!strcmp(a, "--error")) error = atoi(v);
        else if (!strcmp(a, "--body-bytes")) body_bytes = (size_t)atol(v);
        else if (!strcmp(a, "--nodes-file")) nodes_file = v;
        else if (!strcmp(a, "--keep-alive")) g_keep_alive = atoi(v);
        else {
            fprintf(stderr, "unknown option %s\n", a);
            return 2;
        }
        ++i;
    }
    if (count < 1 || ports < 1 || base_port < 1024 || base_port + 2 * ports > 65536
        || hang < 0 || refuse < 0 || error < 0 || hang + refuse + error > 100 || delay_ms < 0
        || count / ports > 16000000) {
        fprintf(stderr, "bad arguments (count %d, ports %d from %d)\n", count, ports, base_port);
        return 2;
    }
    const int listeners = count < ports ? count : ports;
    const int wildcard = count > ports;
    if (wildcard && !loopback_only()) {
        fprintf(stderr, "%d nodes over %d ports need 127.0.0.2 and up: run inside `unshare -n` "
                        "(a network namespace with only loopback)\n", count, ports);
        return 2;
    }
    struct rlimit rl = {0, 0};
    getrlimit(RLIMIT_NOFILE, &rl);
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);

    ok_response = make_response(200, body_bytes, 0, &ok_len);
    error_response = make_response(500, 40, 0, &error_len);
    ok_response_ka = make_response(200, body_bytes, 1, &ok_ka_len);
    error_response_ka = make_response(500, 40, 1, &error_ka_len);
    signal(SIGPIPE, SIG_IGN);
    signal(SIGTERM, on_signal);
    signal(SIGINT, on_signal);

    int ep = epoll_create1(0);
    if (ep < 0) die("epoll_create1");
    FILE *nodes = nodes_file ? fopen(nodes_file, "w") : NULL;
    if (nodes_file && !nodes) die(nodes_file);
    g_base_port = base_port;
    g_ports = ports;
    g_hang = hang;
    g_refuse = refuse;
    g_error = error;
    for (int i = 0; i < count; ++i) {
        const int slot = i % 100;
        const int refused = slot >= hang && slot < hang + refuse;
        const unsigned ip = 0x7f000001u + (unsigned)(i / ports);
        const int port = base_port + i % ports + (refused ? ports : 0);
        if (nodes) {
            fprintf(nodes, "127.%u.%u.%u:%d\n", (ip >> 16) & 255, (ip >> 8) & 255, ip & 255, port);
        }
    }
    for (int p = 0; p < listeners; ++p) {
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0) die("socket (raise ulimit -n)");
        int one = 1;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)(base_port + p))};
        sa.sin_addr.s_addr = wildcard ? htonl(INADDR_ANY) : htonl(INADDR_LOOPBACK);
        if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
            fprintf(stderr, "bind port %d: %s\n", base_port + p, strerror(errno));
            return 1;
        }
        if (listen(fd, 256) < 0) die("listen");
        struct conn *c = calloc(1, sizeof *c);
        c->fd = fd;
        c->listener = 1;
        struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
        if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) < 0) die("epoll_ctl");
    }
    if (nodes) fclose(nodes);
    printf("ready %d nodes, %d listening ports from %d, delay %d ms, hang %d%% refuse %d%% "
           "error %d%%\n",
           count, listeners, base_port, delay_ms, hang, refuse, error);
    fflush(stdout);

    struct epoll_event events[512];
    char buf[4096];
    while (!stop_flag) {
        int timeout = -1;
        if (queue_head) {
            int64_t wait = queue_head->due_ms - now_ms();
            timeout = wait < 0 ? 0 : (int)wait;
        }
        int n = epoll_wait(ep, events, 512, timeout);
        if (n < 0 && errno != EINTR) die("epoll_wait");
        for (int e = 0; e < n; ++e) {
            struct conn *c = events[e].data.ptr;
            if (c->listener) {
                for (;;) {
                    int fd = accept4(c->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
                    if (fd < 0) break;
                    n_accepted++;
                    struct conn *k = calloc(1, sizeof *k);
                    k->fd = fd;
                    k->kind = kind_of_node(node_of_socket(fd));
                    struct epoll_event ev = {.events = EPOLLIN | EPOLLRDHUP, .data.ptr = k};
                    epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
                }
                continue;
            }
            if (c->fd < 0) continue;
            ssize_t r = read(c->fd, buf, sizeof buf);
            if (r <= 0) {
                if (r < 0 && errno == EAGAIN) continue;
                if (c->kind == K_HANG && c->answered) n_hung++;
                close_conn(ep, c); /* client went away */
                continue;
            }
            if (c->answered) continue; /* extra bytes after the request: ignore */
            /* look for the end of the headers, also across reads: tail = last 3 bytes seen */
            char joined[3 + sizeof buf];
            const size_t keep = c->got < 3 ? c->got : 3;
            memcpy(joined, c->tail, keep);
            memcpy(joined + keep, buf, (size_t)r);
            const size_t total = keep + (size_t)r;
            c->got += (size_t)r;
            const size_t last = total < 3 ? total : 3;
            memcpy(c->tail, joined + total - last, last);
            if (asks_close(buf, (size_t)r)) c->close_asked = 1;
            if (!memmem(joined, total, "\r\n\r\n", 4)) continue;
            c->answered = 1;
            if (c->kind == K_HANG) continue; /* never answer; wait for the client to leave */
            c->due_ms = now_ms() + delay_ms;
            if (queue_tail) queue_tail->next = c; else queue_head = c;
            queue_tail = c;
        }
        const int64_t t = now_ms();
        while (queue_head && queue_head->due_ms <= t) {
            struct conn *c = queue_head;
            queue_head = c->next;
            if (!queue_head) queue_tail = NULL;
            if (c->fd >= 0) {
                c->due_ms = 0; /* out of the queue: close_conn frees it */
                answer(ep, c);
            } else {
                free(c);
            }
        }
    }
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("accepted %llu ok %llu error %llu hung-then-closed %llu cpu_s %.3f\n", n_accepted, n_ok,
           n_error, n_hung,
           (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
                   (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6);
    return 0;
}
