import { h as make, VERSION } from './base.js';
import * as base from '../x/base.js';
export async function run() {
  return make(VERSION) + base.VERSION;
}
