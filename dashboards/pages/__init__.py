"""The site's pages, in navigation order; each module renders one page's body."""

from dashboards.pages import explorer, index, leadership, quality

PAGES = (index.PAGE, leadership.PAGE, explorer.PAGE, quality.PAGE)
