"""The service catalogue: which sites host webinars, meetings and streams, and which join steps fit.

Each row names a service, the hosts it lives on (a row matches the host itself or any subdomain;
`*.host` matches only subdomains other than www: the account sites of ClickMeeting or Adobe
Connect; `label.*` matches a host whose first label is `label` on any domain of two labels or more:
the on-premises `meet.` / `lync.` sites of Skype for Business) and a regex for the URL path of its join links, as the vendor's own links are written
(checked against the vendors' help pages and MeetingBar's `MeetingProviderRegistry`). Rows are
checked in order, so the more specific row of a site (Zoom webinars, Webex events, Teams town
halls) comes before its general row.

A link on a catalogue site whose path is not a join path (a BrightTALK channel page, Zoom's "find
your local number", a YouTube channel or `/redirect`, ON24's blog) is still recognised - the
service is named - but as a `fallback`: ranked like an unknown link and never auto-joined unless
its host is in `[join] allowed_hosts` (see plan._reason). The fallback is the explicit row at the
end of the catalogue for sites with several rows, else the site's last row.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache
from urllib.parse import unquote, urlsplit

from webinar_tray.core.service_index import index_of
from webinar_tray.core.url_host import hostname

KINDS = ("webinar", "meeting", "stream")
STEPS = ("brighttalk", "zoom", "on24", "webex", "teams", "youtube", "generic")


@dataclass(frozen=True)
class Service:
    name: str  # shown to users, e.g. "BrightTALK", "Zoom Webinar"
    kind: str  # "webinar" | "meeting" | "stream"
    hosts: tuple[str, ...]  # host names: the host itself or any subdomain; "*.x": subdomains only
    path: str = ""  # regex (re.search, case-insensitive) for the join paths; "" only in fallbacks
    steps: str = "generic"  # join steps: brighttalk|zoom|on24|webex|teams|youtube|generic
    fallback: bool = False  # any other page of a known site: named, never a join link by itself
    vendor: bool = True  # the hosts are the vendor's own: their other pages are named (fallback)
    browser: bool = True  # False: no browser client (FaceTime): named, never auto-joined
    query: str = ""  # regex the URL's (percent-decoded) query must hold too, e.g. a live-event flag

    def matches(self, host: str, path: str, query: str = "") -> bool:
        """`host` is lower case without port or trailing dot; `path` is the URL's path; `query`
        its query string, percent-decoded (only rows with a `query` pattern look at it)."""
        if not self.on_site(host, strict=True):
            return False
        if self.query and _compiled(self.query).search(query or "") is None:
            return False
        return not self.path or _compiled(self.path).search(path or "/") is not None

    def on_site(self, host: str, strict: bool = False) -> bool:
        """`host` is one of the row's hosts (`strict`: "*.x" only for an account subdomain)."""
        for h in self.hosts:
            if h.endswith(".*"):  # "meet.*": an on-premises site of any organisation
                if host.startswith(h[:-1]) and host.count(".") >= 2:
                    return True
            elif h.startswith("*."):
                if host_matches(host, h[2:]) and (
                        not strict or (host != h[2:] and not host.startswith("www."))):
                    return True
            elif host_matches(host, h):
                return True
        return False

    @property
    def site_hosts(self) -> tuple[str, ...]:
        """The row's hosts as plain host names (for host allow-lists)."""
        return tuple(h[2:] if h.startswith("*.") else h for h in self.hosts if not h.endswith(".*"))


@lru_cache(maxsize=None)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


def host_matches(host: str, pattern: str) -> bool:
    """`host` is `pattern` or a subdomain of it (both compared lower case, trailing dot ignored)."""
    host = host.lower().rstrip(".")
    pattern = pattern.lower().strip().rstrip(".")
    return bool(pattern) and (host == pattern or host.endswith("." + pattern))


# Zoom's regional sites (China, Germany, and the Zoom-X tenants of Deutsche Telekom) too.
_ZOOM = ("zoom.us", "zoom.com", "zoomgov.com", "zoom.com.cn", "zoom.de", "*.zoom-x.de")
_TEAMS = ("teams.microsoft.com", "teams.microsoft.us", "teams.cloud.microsoft")
# One path segment that is a room/event name, not one of the site's own pages.
_SITE_PAGES = (r"(?:static|libs|images|sounds|css|fonts|js|assets|api|blog|pricing|features|about"
               r"|login|signin|signup|register|user|org|information|help|support|legal|privacy"
               r"|terms|careers|download|embed|resources|solutions|security)")
_ROOM = r"(?!%s(?:[/.]|$))[A-Za-z0-9][A-Za-z0-9._~-]*" % _SITE_PAGES

CATALOGUE: tuple[Service, ...] = (
    # --- webinar platforms -----------------------------------------------------------------
    Service("BrightTALK", "webinar", ("brighttalk.com",),
            path=r"^/(?:webcast|webinar|summit|series|events?)/", steps="brighttalk"),
    Service(
        "ISC2 (BrightTALK)",
        "webinar",
        ("isc2.org",),
        path=r"^/(?:[a-z]{2}(?:-[a-z]{2})?/)?(?:professional-development|webinars?|knowledge-vault)(?:/|$)",
        steps="brighttalk",
        vendor=False,  # the rest of isc2.org is about certifications, not BrightTALK
    ),
    # event.on24.com/wcc/r/<id>/<key>, /eventRegistration/..., gateway.on24.com/wcc/eh|experience/...,
    # vshow.on24.com/vshow/...
    Service("ON24", "webinar", ("on24.com",), path=r"^/(?:wcc/|eventRegistration/|vshow/)",
            steps="on24"),
    # events.zoom.us/e/view/<id>, /ev/<token> (registration), /ejl/<token> (join link)
    Service("Zoom Events", "webinar", ("events.zoom.us", "events.zoom.com"),
            path=r"^/(?:e|ev|ejl|eo)/", steps="zoom"),
    Service("Zoom Webinar", "webinar", _ZOOM, path=r"^/(?:w|webinar)/", steps="zoom"),
    Service("Zoom", "meeting", _ZOOM, path=r"^/(?:j|my|wc|meeting)/", steps="zoom"),
    # attendee.gotowebinar.com/register/<key>, global.gotowebinar.com/join/<key>/<attendee>, /rt/<key>
    Service("GoTo Webinar", "webinar", ("gotowebinar.com",), path=r"^/(?:register|join|rt)/"),
    Service("GoTo Meeting", "meeting", ("gotomeeting.com",), path=r"^/join/"),
    Service("GoTo Meeting", "meeting", ("meet.goto.com",), path=r"^/(?:join/)?\d{9}/?$"),
    Service("GoTo Meeting", "meeting", ("app.goto.com",), path=r"^/meeting/"),
    Service(
        "Webex Events",
        "webinar",
        ("webex.com",),
        path=r"^/webappng/sites/[^/]+/webinar|^/weblink/register|/onstage/|/webinar/|/eventcenter/"
             r"|/e\.php$",
        steps="webex",
    ),
    # <site>.webex.com/<site>/j.php?MTID=..., /meet/<name>, /join/<name>, /webappng/sites/<site>/meeting/
    Service("Webex", "meeting", ("webex.com",),
            path=r"/(?:k2/)?j\.php$|^/(?:meet|join)/|^/webappng/sites/[^/]+/meeting/"
                 r"|^/wbxmjs/joinservice/",
            steps="webex"),
    # a live event's attendee link: meetup-join with {"IsBroadcastMeeting":true} in its context
    Service("Teams Live Event", "webinar", _TEAMS, path=r"^/l/meetup-join/",
            query=r'"IsBroadcastMeeting"\s*:\s*true', steps="teams"),
    # convene/townhall?eventId=...&sessionId=...; /l/broadcast/ and /l/event/: unverified
    Service(
        "Teams Town Hall",
        "webinar",
        _TEAMS,
        path=r"^/(?:convene/(?:townhall|webinars)|l/(?:broadcast|event)/)",
        steps="teams",
    ),
    Service(
        "Microsoft Teams",
        "meeting",
        _TEAMS,
        path=r"^/(?:l/meetup-join/|meet/|dl/launcher/)",
        steps="teams",
    ),
    Service("Microsoft Teams", "meeting", ("teams.live.com",), path=r"^/(?:meet|l/meetup-join)/",
            steps="teams"),
    # app.livestorm.co/p/<id>/live, app.livestorm.co/<workspace>/<event>
    Service("Livestorm", "webinar", ("app.livestorm.co", "app.livestorm.com"),
            path=r"^/(?:p/[^/]+|%s/[^/]+)" % _ROOM),
    Service("Airmeet", "webinar", ("airmeet.com",), path=r"^/e/"),
    # www.bigmarker.com/<channel>/<webinar>, /s/<event>/..., /conferences/<id>/...
    Service("BigMarker", "webinar", ("bigmarker.com",),
            path=r"^/(?:s/|conferences/|%s/[^/]+)" % _ROOM),
    Service("WebinarJam", "webinar", ("webinarjam.com",),
            path=r"^/(?:register|live|go|t|replay|channel)/"),
    Service("EverWebinar", "webinar", ("everwebinar.com",),
            path=r"^/(?:register|live|go|t|replay|channel)/"),
    Service("Crowdcast", "webinar", ("crowdcast.io",), path=r"^/e/"),
    Service("Demio", "webinar", ("demio.com",), path=r"^/(?:ref|join|c)/"),
    # <account>.clickmeeting.com/<room>[/register]
    Service("ClickMeeting", "webinar", ("*.clickmeeting.com",),
            path=r"^/%s(?:/register)?/?$" % _ROOM),
    Service("Goldcast", "webinar", ("goldcast.io",), path=r"^/events?/"),
    Service("WebinarNinja", "webinar", ("webinarninja.com",),
            path=r"^/(?:webinars?|live|register|room|replay)/"),
    Service("Hopin", "webinar", ("hopin.com", "hopin.to"), path=r"^/events/"),
    Service("RingCentral Events", "webinar", ("events.ringcentral.com",), path=r"^/events/"),
    # event.webcasts.com/starthere.jsp?ei=..., onlinexperiences.com/Launch/QReg/ShowUUID=...
    Service("Notified Webcast", "webinar", ("webcasts.com",), path=r"^/(?:starthere\.jsp|viewer/)"),
    Service("Notified Webcast", "webinar", ("onlinexperiences.com",),
            path=r"^/(?:Launch/|scripts/Server\.nxp)"),
    Service(
        "Zoho Webinar",
        "webinar",
        ("webinar.zoho.com", "webinar.zoho.eu", "webinar.zoho.in", "webinar.zoho.com.au"),
        path=r"^/(?:meeting|webinar)/",
    ),
    Service("BlueJeans Events", "webinar", ("primetime.bluejeans.com",), path=r"^/a2m/"),
    # --- meetings ----------------------------------------------------------------------------
    # meet.google.com/abc-defg-hij, /_meet/abc-defg-hij, /lookup/<nickname>
    Service("Google Meet", "meeting", ("meet.google.com",),
            path=r"^/(?:_meet/)?[a-z]{3}-[a-z]{4}-[a-z]{3}(?:/|$)|^/lookup/"),
    Service(
        "Zoho Meeting",
        "meeting",
        ("meeting.zoho.com", "meeting.zoho.eu", "meeting.zoho.in", "meeting.zoho.com.au"),
        path=r"^/(?:meeting/|join)",
    ),
    Service("RingCentral Video", "meeting", ("v.ringcentral.com", "meetings.ringcentral.com"),
            path=r"^/(?:join|j)/"),
    Service("BlueJeans", "meeting", ("bluejeans.com",), path=r"^/\d{6,}(?:/|$)"),
    # meet.jit.si/<room>, 8x8.vc/<tenant>/<room>
    Service("Jitsi Meet", "meeting", ("meet.jit.si", "8x8.vc"),
            path=r"^/%s(?:/%s)?/?$" % (_ROOM, _ROOM)),
    Service("Whereby", "meeting", ("whereby.com",), path=r"^/%s/?$" % _ROOM),
    # chime.aws/<10-digit meeting id>, app.chime.aws/meetings/<id>
    Service("Amazon Chime", "meeting", ("chime.aws",), path=r"^/(?:\d{10}/?$|meetings/)"),
    Service("Skype", "meeting", ("join.skype.com",), path=r"^/%s/?$" % _ROOM),
    Service("Adobe Connect", "meeting", ("*.adobeconnect.com",),
            path=r"^/(?!(?:admin|system|common|content|api)(?:/|$))%s/?$" % _ROOM),
    # --- streams -----------------------------------------------------------------------------
    Service(
        "YouTube Live",
        "stream",
        ("youtube.com",),
        path=r"^/(?:watch|live/|embed/)|/live/?$|/streams/?$",
        steps="youtube",
    ),
    Service("YouTube Live", "stream", ("youtu.be",), path=r"^/[A-Za-z0-9_-]{11}/?$",
            steps="youtube"),
    Service("LinkedIn Live", "stream", ("linkedin.com",), path=r"^/(?:events|video/(?:live|event))/"),
    # venues.vimeo.com/<id>/<key> (Vimeo Events; before the vimeo.com row, which would take it)
    Service("Vimeo Events", "webinar", ("venues.vimeo.com",), path=r"^/[^/]+"),
    Service("Vimeo", "stream", ("vimeo.com",), path=r"^/(?:event/\d+|showcase/\d+|\d+)(?:/|$)"),
    Service("Vimeo", "stream", ("livestream.com",), path=r"^/(?:accounts/\d+|[^/]+)/events/"),
    # streamyard.com/<8-13 characters>, /watch/<id>, /guest/<id>
    Service("StreamYard", "stream", ("streamyard.com",),
            path=r"^/(?:(?:watch|guest)/[A-Za-z0-9]+|(?!%s/?$)[A-Za-z0-9]{8,13})/?$" % _SITE_PAGES),
    # --- MeetingBar's services the rows above lack (patterns from the vendors' join links) -----
    Service("Zoom (Reclaim.ai)", "meeting", ("reclaim.ai",), path=r"^/z/", steps="zoom",
            vendor=False),  # Reclaim's scheduling links redirect to a Zoom meeting
    Service("Zoom (zm.page)", "meeting", ("*.zm.page",), path=r"^/"),
    # meet.proton.me/join/id-<ID>#pwd-<password>
    Service("Proton Meet", "meeting", ("meet.proton.me",), path=r"^/join/id-[A-Za-z0-9]+"),
    Service("Google Meet Stream", "stream", ("stream.meet.google.com",), path=r"^/stream/"),
    Service("Google Hangouts", "meeting", ("hangouts.google.com",), path=r"^/(?:call|hangouts/_)/"),
    Service("Google Duo", "meeting", ("duo.app.goo.gl",), path=r"^/[A-Za-z0-9]"),
    Service("Join.me", "meeting", ("join.me",), path=r"^/%s/?$" % _ROOM),
    Service("UberConference", "meeting", ("uberconference.com",), path=r"^/%s/?$" % _ROOM),
    Service("Dialpad Meetings", "meeting", ("meetings.dialpad.com",), path=r"^/room/"),
    Service("Blizz", "meeting", ("go.blizz.com",), path=r"^/[A-Za-z0-9]"),
    Service("TeamViewer Meeting", "meeting", ("go.teamviewer.com",), path=r"^/[A-Za-z0-9]"),
    Service("VSee", "meeting", ("vsee.com",), path=r"^/%s(?:/|$)" % _ROOM),  # MeetingBar's
    Service("VSee", "meeting", ("vsee.me",), path=r"^/u/[^/]+"),  # <clinic>.vsee.me/u/<room>
    Service("StarLeaf", "meeting", ("meet.starleaf.com",), path=r"^/\d{6,}(?:/|$)"),
    # voovmeeting.com/dm/<code>; Tencent Meeting: meeting.tencent.com/dm/<code>, /s/<code>, /p/<room>
    Service("Tencent VooV", "meeting", ("voovmeeting.com",), path=r"^/(?:dm|s|p)/"),
    Service("Tencent Meeting", "meeting", ("meeting.tencent.com",), path=r"^/(?:dm|s|p)/"),
    Service("Workplace", "meeting", ("workplace.com",), path=r"^/groupcall/"),
    Service("Lifesize", "meeting", ("call.lifesizecloud.com",), path=r"^/\d+(?:/|$)"),
    # meet.lync.com/<tenant>/<user>/<conference id>
    Service("Skype for Business", "meeting", ("meet.lync.com",),
            path=r"^/[A-Za-z0-9._-]+/[A-Za-z0-9._-]+/[A-Za-z0-9]{6,12}/?$"),
    Service("FaceTime", "meeting", ("facetime.apple.com",), path=r"^/join", browser=False),
    Service("Vonage Meetings", "meeting", ("meetings.vonage.com",), path=r"^/\d{9}(?:/|$)"),
    Service("Around", "meeting", ("around.co",), path=r"^/r/"),
    Service("Jam", "meeting", ("jam.systems",), path=r"^/%s/?$" % _ROOM),
    Service("Discord", "meeting", ("discord.com", "discordapp.com"),
            path=r"^/(?:channels/\d+/\d+|events/\d+/\d+|invite/[A-Za-z0-9-]+)"),
    Service("Discord", "meeting", ("discord.gg",), path=r"^/[A-Za-z0-9-]+/?$"),
    Service("Blackboard Collaborate", "meeting", ("bbcollab.com",),
            path=r"^/(?:guest|invite|collab/ui/session)/"),
    Service("CoScreen", "meeting", ("join.coscreen.co",), path=r"^/[A-Za-z0-9]"),
    # app.vowel.com/#/g/<id>: the room is in the fragment, which rows never see, so the bare app
    # page matches too (ranked last as a home page, see links.looks_like_non_join)
    Service("Vowel", "meeting", ("app.vowel.com",), path=r"^/(?:g/|$)"),
    Service("Zhumu", "meeting", ("zhumu.com",), path=r"^/j/\d+"),
    Service("Lark", "meeting", ("vc.larksuite.com",), path=r"^/j/\d+"),
    Service("Feishu", "meeting", ("vc.feishu.cn",), path=r"^/j/\d+"),
    Service("oVice", "meeting", ("*.ovice.in", "*.ovice.com"), path=r"^/"),
    Service("Luma", "meeting", ("lu.ma", "luma.com"), path=r"^/join/"),
    Service("Preply", "meeting", ("preply.com",), path=r"^/(?:[a-z]{2}/)?(?:classroom|lesson)s?/"),
    Service("UserZoom", "meeting", ("go.userzoom.com",), path=r"^/participate/"),
    Service("Venue", "meeting", ("app.venue.live",), path=r"^/app/"),
    Service("Teemyco", "meeting", ("app.teemyco.com",), path=r"^/room/"),
    Service("Demodesk", "meeting", ("demodesk.com",), path=r"^/%s(?:/|$)" % _ROOM),
    Service("Zoho Cliq", "meeting", ("cliq.zoho.com", "cliq.zoho.eu", "cliq.zoho.in"),
            path=r"^/meetings/"),
    Service("Slack Huddle", "meeting", ("app.slack.com",), path=r"^/huddle/", vendor=False),
    Service("Gather", "meeting", ("gather.town",), path=r"^/(?:app|invite)/"),
    Service("Pop", "meeting", ("pop.com",), path=r"^/j/[0-9-]+"),
    Service("Chorus", "meeting", ("go.chorus.ai",), path=r"^/[A-Za-z0-9]"),
    Service("Gong", "meeting", ("join.gong.io",), path=r"^/[A-Za-z0-9]"),
    Service("Tuple", "meeting", ("tuple.app",), path=r"^/c/"),
    Service("Pumble", "meeting", ("meet.pumble.com",), path=r"^/(?!%s/?$)[a-z][a-z-]*/?$" % _SITE_PAGES),
    Service("Suit Conference", "meeting", ("conference.istesuit.com",), path=r"^/[A-Za-z0-9]"),
    Service("Doxy.me", "meeting", ("doxy.me",), path=r"^/%s/?$" % _ROOM),
    Service("Cal Video", "meeting", ("app.cal.com",), path=r"^/video/", vendor=False),
    Service("LiveKit Meet", "meeting", ("livekit.io",), path=r"^/rooms/", vendor=False),
    Service("Meetecho", "meeting", ("conf.meetecho.com",), path=r"^/%s(?:/|$)" % _ROOM),
    Service("Riverside", "meeting", ("riverside.fm", "riverside.com"), path=r"^/studio/"),
    # --- event platforms -----------------------------------------------------------------------
    Service("Twitch", "stream", ("twitch.tv",),
            path=r"^/(?!(?:directory|downloads|p|search|settings|subscriptions|inventory|wallet"
                 r"|jobs|turbo|prime|videos)(?:/|$))[A-Za-z0-9_]{3,25}/?$"),
    # player.restream.io/?token=<key>; studio.restream.io/guest/<token> (a guest), /abc-defg-hij
    # (the studio). restream.io/join/<code> is a referral sign-up link, not a stream.
    Service("Restream", "stream", ("player.restream.io",), path=r"^/"),
    Service("Restream", "stream", ("studio.restream.io",),
            path=r"^/(?:guest/[A-Za-z0-9]+|[a-z]{3}-[a-z]{4}-[a-z]{3}/?$)"),
    # web.cvent.com/event/<uuid>/summary|regProcessStep1|websitePage:<uuid>, the virtual Attendee
    # Hub web(-eur).cvent.com/hub/events/<uuid>[/sessions/<uuid>], www.cvent.com/d/<code>[/<page>]
    Service("Cvent", "webinar", ("cvent.com",),
            path=r"^/event/[0-9a-f-]{36}(?:/|$)|^/d/[a-z0-9]{6}(?:/|$)"
                 r"|^/hub/events/[0-9a-f-]{36}(?:/sessions/[0-9a-f-]{36})?/?$"),
    Service("Cvent", "webinar", ("cvent.me",), path=r"^/[A-Za-z0-9]{6}/?$"),  # short links
    Service("Eventbrite", "webinar", ("eventbrite.com", "eventbrite.co.uk", "eventbrite.ca",
                                      "eventbrite.com.au", "eventbrite.de", "eventbrite.fr"),
            path=r"^/x/"),  # the online event page; /e/ is the listing of any event
    # events.bizzabo.com/<id or slug>[/agenda/session/<id>]; /scripts/ holds the site's assets
    Service("Bizzabo", "webinar", ("events.bizzabo.com",),
            path=r"^/(?!scripts(?:/|$))[A-Za-z0-9_-]+(?:/|$)"),
    # <event>.hubilo.com/community/, events.hubilo.com/<event>/session/<id>
    Service("Hubilo", "webinar", ("*.hubilo.com",),
            path=r"^/community(?:/|$)|^/%s/session/\d+" % _ROOM),
    # <event>.vfairs.com/ (the event's own site); its hall/lobby/auditorium pages: unverified
    Service("vFairs", "webinar", ("*.vfairs.com",),
            path=r"^/(?:[a-z]{2}/?)?$|^/(?:[a-z]{2}/)?(?:hall|lobby|auditorium|webinars?)(?:/|$)"),
    Service("Accelevents", "webinar", ("accelevents.com",), path=r"^/e/"),
    # whova.com/portal/webapp/<event>/[Agenda/<session>]
    Service("Whova", "webinar", ("whova.com",), path=r"^/portal/webapp/[^/]+"),
    # <account>.webinargeek.com/watch/<token>/, /watch/replay/<id>/<key>/, /webinar/...,
    # /<webinar> (its registration page); app. is the API, www. the vendor's own site
    Service("WebinarGeek", "webinar", ("*.webinargeek.com",),
            path=r"^/(?:watch|webinar)/|^/%s/?$" % _ROOM),
    # <account>.easywebinar.live/<event>: registration-22, live-event-153, webinar-...
    Service("EasyWebinar", "webinar", ("*.easywebinar.live",), path=r"^/%s/?$" % _ROOM),
    # iframe.dacast.com/live/<uuid>/<uuid>, the older iframe.dacast.com/b/<id>/c/<id>
    Service("Dacast", "stream", ("dacast.com",), path=r"^/(?:live|b)/"),
    # <partner>.events.kaltura.com, <partner>.mediaspace.kaltura.com: /media/t/<entry>,
    # /media/<title>/<entry>; the event site's /event|webcast|session|lobby pages: unverified
    Service("Kaltura Events", "webinar", ("*.events.kaltura.com", "*.mediaspace.kaltura.com"),
            path=r"^/(?:media/[^/]+|(?:event|webcast|session|lobby)(?:/|$))"),
    # www.sans.org/webcasts/<slug>[-<id>]/ (not /webcasts/downloads/<id>/slides)
    Service("SANS Webcast", "webinar", ("sans.org",),
            path=r"^/webcasts/(?!downloads(?:/|$))[^/]+/?$", vendor=False),
    Service("Swapcard", "webinar", ("app.swapcard.com",), path=r"^/event/"),
    Service("Remo", "webinar", ("live.remo.co",), path=r"^/e/"),
    Service("Meetup", "meeting", ("meetup.com",), path=r"^/[^/]+/events/\d+", vendor=False),
    Service("Facebook Live", "stream", ("facebook.com",),
            path=r"^/(?:[^/]+/videos/\d+|watch/live/)", vendor=False),
    Service("X Spaces", "stream", ("x.com", "twitter.com"), path=r"^/i/spaces/", vendor=False),
    Service("Kick", "stream", ("kick.com",), path=r"^/%s/?$" % _ROOM),
    # on-premises Skype for Business: meet.<org>/<user>/<id>, lync.<org>/meet/<user>/<id> (last of
    # the join rows: `meet.*` is any organisation's host, checked after every vendor's meet. site)
    Service("Skype for Business", "meeting", ("meet.*", "lync.*"),
            path=r"^/(?:[A-Za-z0-9._-]+/)?(?:meet/)?[A-Za-z0-9._-]+/[A-Za-z0-9]{6,12}/?$",
            vendor=False),
    Service("Skype for Business", "meeting", ("join.*",),  # join.<org>: only its /meet/ links
            path=r"^/(?:[A-Za-z0-9._-]+/)?meet/[A-Za-z0-9._-]+/[A-Za-z0-9]{6,12}/?$", vendor=False),
    # --- the rest of a site with several rows: named, but never a join link ------------------
    Service("BrightTALK", "webinar", ("brighttalk.com",), steps="brighttalk", fallback=True),
    Service("Zoom", "meeting", _ZOOM, steps="zoom", fallback=True),
    Service("Microsoft Teams", "meeting", _TEAMS, steps="teams", fallback=True),
    Service("Webex", "meeting", ("webex.com",), steps="webex", fallback=True),
    Service("YouTube", "stream", ("youtube.com",), steps="youtube", fallback=True),
)


def split_host_path(url: str) -> tuple[str, str] | None:
    """(host, path) of an http(s) URL: host lower case, no port, no trailing dot; else None."""
    try:
        p = urlsplit(url := url.strip())
        host = (hostname(url) or "").rstrip(".")
    except (ValueError, AttributeError):
        return None
    if p.scheme not in ("http", "https"):
        return None
    if not host:
        return None
    return host, p.path or "/"


def find_service(
    url: str, catalogue: tuple[Service, ...] = CATALOGUE, extra_hosts=()
) -> Service | None:
    """The catalogue row that matches an http(s) `url`, or None.

    First the join rows (host and path); then, for any other page of a catalogue site, its
    `fallback`: the explicit fallback row of the site, else its last row marked as one.
    `extra_hosts` are tried last: a match gives a generic row named after the host (kind
    "meeting"). The planner checks allowed_hosts itself, so it passes none."""
    hp = split_host_path(url) if isinstance(url, str) else None
    if hp is None:
        return None
    host, path = hp
    query = unquote(urlsplit(url.strip()).query)
    rows = index_of(catalogue).rows_for(host)  # the rows that may match: the same answer
    for service in rows:
        if not service.fallback and service.matches(host, path, query):
            return service
    site = None
    for service in rows:
        if service.fallback and service.on_site(host):
            return service
        if service.vendor and service.on_site(host):
            site = service
    if site is not None:
        return replace(site, path="", fallback=True)
    for h in extra_hosts:
        if host_matches(host, h):
            h = h.lower().strip().rstrip(".")
            return Service(h, "meeting", (h,))
    return None
