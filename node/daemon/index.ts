export { type NodeComponents, PdnsNode } from './node.ts'
export { isLocalLabel, SensorOrigins, sensorLabel, UNNAMED_DNSTAP_SENSOR } from './sensor-origins.ts'
