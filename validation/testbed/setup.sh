#!/bin/bash
# The one command that sets the testbed up on a fresh Debian 12 machine: Debian packages (skipped
# when installed), the NFQUEUE helper, then the whole testbed (netns, RabbitMQ x3, Galera x3,
# exporters, Prometheus, queues) and a health gate. Tear down with stop_all.sh.
set -euo pipefail
cd "$(dirname "$0")"
./install.sh
./start_all.sh
