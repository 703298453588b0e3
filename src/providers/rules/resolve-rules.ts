import type { ModelRules, ResolvedRules, VendorRules } from './rule-types.js';
import { VENDOR_RULES } from './vendor-rules-table.js';

/**
 * A deployment's rules, resolved once when the catalog is built (never per request):
 * the vendor's defaults, then the first model family whose pattern matches the upstream
 * model id, then the provider's YAML `rules:`, then the model's. Parameter rules
 * accumulate; a later layer's rule for the same parameter replaces the earlier one.
 */
const overlay = (base: ResolvedRules, layer: ModelRules | undefined): ResolvedRules => {
  if (!layer) return base;
  const { parameters, ...rest } = layer;
  const merged: ResolvedRules = { ...base, ...rest, parameters: base.parameters };
  if (parameters && parameters.length > 0) {
    const replaced = new Set(parameters.map((rule) => rule.param));
    merged.parameters = [...base.parameters.filter((rule) => !replaced.has(rule.param)), ...parameters];
  }
  return merged;
};

export const vendorRulesFor = (vendor: string): VendorRules | undefined => VENDOR_RULES[vendor];

export const resolveRules = (
  vendor: string,
  upstreamModel: string,
  providerRules?: ModelRules,
  modelRules?: ModelRules,
): ResolvedRules => {
  const table = vendorRulesFor(vendor);
  let rules: ResolvedRules = overlay({ parameters: [], family: null }, table?.defaults);
  const family = table?.families.find((candidate) => candidate.match.test(upstreamModel));
  if (family) rules = { ...overlay(rules, family.rules), family: family.name };
  rules = overlay(overlay(rules, providerRules), modelRules);
  return Object.freeze(rules) as ResolvedRules;
};
