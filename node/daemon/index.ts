export { type NodeComponents, PdnsNode } from './node.ts'
export { isLocalLabel, SensorOrigins, sensorLabel } from './sensor-origins.ts'
