/** The current page, following the URL's hash as the user navigates (links, back and forward). */
import { useEffect, useState } from 'preact/hooks';
import { parseRoute, type Route } from './hash-route.js';
import { noteHashChange } from './opener.js';

export function useHashRoute(): Route {
  const [route, setRoute] = useState<Route>(() => parseRoute(location.hash));
  useEffect(() => {
    const follow = (event: HashChangeEvent): void => {
      noteHashChange(event.oldURL);
      setRoute(parseRoute(location.hash));
    };
    window.addEventListener('hashchange', follow);
    return () => window.removeEventListener('hashchange', follow);
  }, []);
  return route;
}
