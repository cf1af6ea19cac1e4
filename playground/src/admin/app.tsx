export default {
  config: { locales: ['fr', 'pt', 'pl', 'et'] },
  bootstrap() {},
};
