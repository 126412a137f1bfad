/**
 * The interface-language pieces that the runtime and the code generator share (`supcon/schema`): the grammar of
 * type expressions and the did-you-mean hint. `supcon-gen` imports them from here, so both read types alike.
 */
export {
  PRIMITIVE_TYPES,
  TYPE_ALIASES,
  formatTypeExpr,
  namedRefs,
  parseSeedDescription,
  parseTypeExpr,
} from "./type-expr.js";
export type { PrimitiveTypeName, TypeExpr, TypeExprParseResult } from "./type-expr.js";
export { didYouMean } from "../base/did-you-mean.js";
