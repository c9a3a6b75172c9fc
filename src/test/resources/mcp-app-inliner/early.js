import { h } from './later.js';
export const x = h;
