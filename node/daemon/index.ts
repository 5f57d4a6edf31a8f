export { type NodeComponents, PdnsNode } from './node.ts'
