#include "models/register_builtin_models.hpp"

#include "models/autoscaler/hpa.hpp"
#include "models/autoscaler/keda_rabbitmq_scaler.hpp"
#include "models/broker/broker_cluster.hpp"
#include "models/broker/fifo_queue.hpp"
#include "models/database/datastore.hpp"
#include "models/database/galera_cluster.hpp"
#include "models/storage/longhorn_system.hpp"
#include "models/network/network.hpp"
#include "models/mesh/http_load_generator.hpp"
#include "models/mesh/http_service.hpp"
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
  registry.add(GaleraCluster::kind_info());
  registry.add(LonghornSystem::kind_info());
  registry.add(Outbox::kind_info());
  registry.add(Network::kind_info());
  registry.add(HorizontalPodAutoscaler::kind_info());
  registry.add(KedaRabbitmqScaler::kind_info());
  registry.add(HttpService::kind_info());
  registry.add(HttpLoadGenerator::kind_info());
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
