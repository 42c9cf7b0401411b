// Stands in for node:sqlite in the Workers bundle (wrangler.toml [alias]). undici, bundled for the
// notifier, checks for node:sqlite inside a try and takes a failed load as "not there"; workerd has no
// node:sqlite, and esbuild cannot resolve it there.
throw new Error('node:sqlite is not available on Workers');
