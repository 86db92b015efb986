export default defineAppConfig({
  ui: {
    // A calm blue that keeps white text readable on solid buttons (see assets/css/main.css).
    colors: { primary: 'blue', neutral: 'slate' },
  },
})
