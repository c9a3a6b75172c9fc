export function h(tag) {
  return tag;
}
export const VERSION = '1';
const hidden = 2;
