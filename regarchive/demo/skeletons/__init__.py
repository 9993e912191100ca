"""The skeletons the sample site can be served in, by name (the default first).

Each renders the same articles (:mod:`regarchive.demo.model`) in the markup of a family of real
sites, so that the extractor and the crawler are checked on more than one way of writing them.
"""

from __future__ import annotations

from regarchive.demo.site import Site
from regarchive.demo.skeletons.escal import EscalSite
from regarchive.demo.skeletons.spip_dist import SpipDistSite
from regarchive.demo.skeletons.wordpress import WordPressSite
from regarchive.demo.skeletons.zpip import ZpipSite

SKELETONS: dict[str, type[Site]] = {
    "spip-dist": SpipDistSite,
    "zpip": ZpipSite,
    "escal": EscalSite,
    "wordpress": WordPressSite,
}
