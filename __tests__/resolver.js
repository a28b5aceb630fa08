// Jest resolves require() with the "require" condition; kubernetes-models and the small ESM-only
// packages it uses publish their entry points under "import" only. For those, resolve with "import"
// (the transform turns their ESM into CommonJS); everything else resolves as usual.
const ESM_ONLY = /^(kubernetes-models|@kubernetes-models\/|is-cidr$|cidr-regex$)/;

module.exports = (request, options) =>
  options.defaultResolver(request, ESM_ONLY.test(request) ? { ...options, conditions: ["import", "default"] } : options);
