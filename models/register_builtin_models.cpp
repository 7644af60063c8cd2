#include "models/register_builtin_models.hpp"

#include "models/broker/broker_cluster.hpp"
#include "models/broker/fifo_queue.hpp"
#include "models/database/datastore.hpp"
#include "models/workload/consumer.hpp"
#include "models/workload/outbox.hpp"
#include "models/workload/producer.hpp"

namespace faultline::models {

void register_builtin_models(sim::ModelRegistry& registry) {
  registry.add(Producer::kind_info());
  registry.add(FifoQueue::kind_info());
  registry.add(BrokerCluster::kind_info());
  registry.add(Consumer::kind_info());
  registry.add(Datastore::kind_info());
  registry.add(Outbox::kind_info());
}

const sim::ModelRegistry& builtin_registry() {
  static const sim::ModelRegistry registry = [] {
    sim::ModelRegistry r;
    register_builtin_models(r);
    return r;
  }();
  return registry;
}

}  // namespace faultline::models
