/**
 * Keys of members that the runtime's modules share but users do not see.
 */
export const kAttach = Symbol("supcon.attach");
export const kDetach = Symbol("supcon.detach");
export const kHandler = Symbol("supcon.handler");
