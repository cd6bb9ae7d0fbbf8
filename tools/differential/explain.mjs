#!/usr/bin/env node
// Prints iam-simulate's full analysis of one request file (for investigating a
// disagreement): node explain.mjs REQUEST.json
import { readFileSync } from 'node:fs'
import { runSimulation } from '@cloud-copilot/iam-simulate'
import { translate } from './iam-simulate.mjs'

const file = JSON.parse(readFileSync(process.argv[2], 'utf8'))
const result = await runSimulation(translate(file), { simulationMode: 'Strict' })
const strip = (k, v) => (k === 'statement' ? undefined : v)
console.log(JSON.stringify(result, strip, 2))
