/** Stylesheets are imported for esbuild to bundle them into app.css; they export nothing. */
declare module '*.css';
