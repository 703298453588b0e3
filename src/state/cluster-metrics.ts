import { Gauge, type Registry } from 'prom-client';
import type { ClusterBus } from './cluster-bus.js';

/** Whether this instance shares state through Redis right now, and how many outages it saw. */
export const registerClusterMetrics = (registry: Registry, bus: ClusterBus) => {
  new Gauge({
    name: 'gateway_redis_connected',
    help: '1 while shared state (config pushes, breakers, cache) goes through Redis; 0: degraded to per-instance state',
    registers: [registry],
    collect() {
      this.set(bus.connected() ? 1 : 0);
    },
  });
  new Gauge({
    name: 'gateway_redis_outages',
    help: 'Redis outages this instance has seen since it started',
    registers: [registry],
    collect() {
      this.set(bus.status().outages);
    },
  });
};
