/* nfq_delay: a user-space stand-in for netem (absent from this kernel).
 * Holds every packet of NFQUEUE queue Q for a constant DELAY_MS before accepting it, and drops a
 * packet with probability LOSS first. Packets leave in arrival order (constant delay = FIFO).
 * Usage: nfq_delay QUEUE DELAY_MS [LOSS_PROB] [SEED]
 * Pair it with an iptables rule using "--queue-bypass" so traffic passes untouched if it dies.
 * SIGTERM/SIGINT: accept everything still held, unbind, exit 0. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <linux/netfilter.h>
#include <libnetfilter_queue/libnetfilter_queue.h>

#define RING 65536
static uint32_t ids[RING];
static int64_t due[RING];
static unsigned head, tail;             /* held packets are [head, tail) */
static int64_t delay_ns;
static double loss;
static volatile sig_atomic_t stop;
static unsigned long n_in, n_drop, n_out, n_full;

static int64_t now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000000LL + t.tv_nsec;
}

static int on_packet(struct nfq_q_handle *qh, struct nfgenmsg *m, struct nfq_data *d, void *u) {
    (void)m; (void)u;
    struct nfqnl_msg_packet_hdr *ph = nfq_get_msg_packet_hdr(d);
    if (!ph) return 0;
    uint32_t id = ntohl(ph->packet_id);
    n_in++;
    if (loss > 0 && drand48() < loss) { n_drop++; return nfq_set_verdict(qh, id, NF_DROP, 0, NULL); }
    if (tail - head >= RING) { n_full++; return nfq_set_verdict(qh, id, NF_ACCEPT, 0, NULL); }
    ids[tail % RING] = id;
    due[tail % RING] = now_ns() + delay_ns;
    tail++;
    return 0;
}

static void release(struct nfq_q_handle *qh, int all) {
    int64_t t = now_ns();
    while (head != tail && (all || due[head % RING] <= t)) {
        nfq_set_verdict(qh, ids[head % RING], NF_ACCEPT, 0, NULL);
        head++; n_out++;
    }
}

static void on_signal(int s) { (void)s; stop = 1; }

int main(int argc, char **argv) {
    if (argc < 3) { fprintf(stderr, "usage: %s QUEUE DELAY_MS [LOSS_PROB] [SEED]\n", argv[0]); return 2; }
    int qnum = atoi(argv[1]);
    delay_ns = (int64_t)(atof(argv[2]) * 1e6);
    loss = argc > 3 ? atof(argv[3]) : 0.0;
    srand48(argc > 4 ? atol(argv[4]) : 1);
    signal(SIGTERM, on_signal); signal(SIGINT, on_signal);

    struct nfq_handle *h = nfq_open();
    if (!h) { perror("nfq_open"); return 1; }
    nfq_unbind_pf(h, AF_INET);
    if (nfq_bind_pf(h, AF_INET) < 0) { perror("nfq_bind_pf"); return 1; }
    struct nfq_q_handle *qh = nfq_create_queue(h, qnum, &on_packet, NULL);
    if (!qh) { perror("nfq_create_queue"); return 1; }
    if (nfq_set_mode(qh, NFQNL_COPY_META, 0) < 0) { perror("nfq_set_mode"); return 1; }
    nfq_set_queue_maxlen(qh, RING);
    /* fail open: if the kernel queue overflows, packets pass instead of being dropped */
    nfq_set_queue_flags(qh, NFQA_CFG_F_FAIL_OPEN, NFQA_CFG_F_FAIL_OPEN);
    int fd = nfq_fd(h);
    nfnl_rcvbufsiz(nfq_nfnlh(h), 8 * 1024 * 1024);
    char buf[65536] __attribute__((aligned));
    fprintf(stderr, "nfq_delay: queue %d delay %.1f ms loss %.3f\n", qnum, delay_ns / 1e6, loss);

    while (!stop) {
        int timeout = 100;
        if (head != tail) {
            int64_t w = due[head % RING] - now_ns();
            timeout = w <= 0 ? 0 : (int)(w / 1000000) + 1;
            if (w > 0 && w < 1000000) timeout = 1;
        }
        struct pollfd p = { .fd = fd, .events = POLLIN };
        int r = poll(&p, 1, timeout);
        if (r > 0 && (p.revents & POLLIN)) {
            for (;;) {   /* drain everything readable */
                int n = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
                if (n < 0) { if (errno == ENOBUFS) continue; break; }
                nfq_handle_packet(h, buf, n);
            }
        }
        release(qh, 0);
    }
    release(qh, 1);
    fprintf(stderr, "nfq_delay: in %lu dropped %lu out %lu passed-when-full %lu\n", n_in, n_drop, n_out, n_full);
    nfq_destroy_queue(qh);
    nfq_close(h);
    return 0;
}
