export { Sensor, type SensorOptions, type SensorStats } from './pipeline.ts'
