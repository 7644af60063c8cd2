# shellcheck shell=bash
# The recorded experiments. Each: a description, a fault schedule "OFFSET_S:fault.sh step args;..."
# (steps run in order, each not before its offset from the run's start), and the recovery
# watchers "TARGET@STEP ..." (tbctl.py watch, started once STEP is applied, logs when TARGET serves again).
# Common to all: 120 s runs, fault 30 s in, 100 msg/s alternating qq/cq (see testbed.json).
declare -A EXP_DESC EXP_SCHED EXP_WATCH
EXP_NAMES=(rmq-classic-kill rmq-quorum-leader-kill rmq-partition rmq-freeze rmq-delay rmq-loss galera-kill galera-full-crash)

EXP_DESC[rmq-classic-kill]="kill -9 of rabbitmq-1, home of the classic durable queue cq (persistent messages), restarted in place at once"
EXP_SCHED[rmq-classic-kill]="30:rmq-kill 1;30:rmq-start 1"
EXP_WATCH[rmq-classic-kill]="rabbitmq/rabbitmq-1@rmq-kill"

EXP_DESC[rmq-quorum-leader-kill]="kill -9 of rabbitmq-0, leader of the quorum queue qq and the publisher's node, restarted in place at once"
EXP_SCHED[rmq-quorum-leader-kill]="30:rmq-kill 0;30:rmq-start 0"
EXP_WATCH[rmq-quorum-leader-kill]="rabbitmq/rabbitmq-0@rmq-kill"

EXP_DESC[rmq-partition]="rabbitmq-0 (qq leader, publisher's node) cut off from its two peers (Erlang distribution) for 30 s, then healed"
EXP_SCHED[rmq-partition]="30:rmq-partition 0;60:rmq-heal"
EXP_WATCH[rmq-partition]="rabbitmq/rabbitmq-0@rmq-heal"

EXP_DESC[rmq-freeze]="SIGSTOP of rabbitmq-1 (home of cq) for 25 s, then SIGCONT"
EXP_SCHED[rmq-freeze]="30:rmq-freeze 1;55:rmq-thaw 1"
EXP_WATCH[rmq-freeze]="rabbitmq/rabbitmq-1@rmq-thaw"

EXP_DESC[rmq-delay]="+150 ms each way on every AMQP connection (ports 5672-5674, NFQUEUE helper) for 30 s"
EXP_SCHED[rmq-delay]="30:delay 5672:5674 150;60:net-clear"
EXP_WATCH[rmq-delay]=""

EXP_DESC[rmq-loss]="5 % random packet loss each way on every AMQP connection (ports 5672-5674, iptables statistic) for 30 s"
EXP_SCHED[rmq-loss]="30:loss 5672:5674 0.05;60:net-clear"
EXP_WATCH[rmq-loss]=""

EXP_DESC[galera-kill]="kill -9 of mariadb-0 (the consumer's DB node) under the consumer's writes; restarted 10 s later with galera_recovery"
EXP_SCHED[galera-kill]="30:gal-kill 0;40:gal-start 0"
EXP_WATCH[galera-kill]="mariadb/mariadb-0@gal-kill"

EXP_DESC[galera-full-crash]="kill -9 of all 3 Galera nodes; at 35 s a naive bootstrap of mariadb-0 is refused (safe_to_bootstrap: 0); at 60 s the manual restoration"
EXP_SCHED[galera-full-crash]="30:gal-kill-all;35:gal-bootstrap-naive 0;60:gal-restore"
EXP_WATCH[galera-full-crash]="mariadb/mariadb-0@gal-kill-all mariadb/mariadb-1@gal-kill-all mariadb/mariadb-2@gal-kill-all"
