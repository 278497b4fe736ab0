/** Deployable services and their default HTTP ports (local stack; Kubernetes uses 8080). */
export const Services = {
  intake: { name: 'intake', port: 3101, database: 'bhyt_intake' },
  encounter: { name: 'encounter', port: 3102, database: 'bhyt_encounter' },
  signer: { name: 'signer', port: 3103, database: 'bhyt_signer' },
  gatewaySync: { name: 'gateway-sync', port: 3104, database: 'bhyt_gateway_sync' },
  reporting: { name: 'reporting', port: 3105, database: 'bhyt_reporting' },
  gatewaySimulator: { name: 'gateway-simulator', port: 3199, database: 'bhyt_gateway_simulator' },
} as const;
export type ServiceKey = keyof typeof Services;
