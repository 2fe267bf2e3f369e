# -*- coding: utf-8 -*-
# Copyright: contributors to the sametime.deploy collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Format-preserving edits of Sametime XML configuration files (controller side, lxml).

The edit is made at the text level. lxml checks that the file is well formed, and it answers
the questions (which element, what value). A small scanner, run over the same text, records
where each element's tags, text and attribute values start and end. The two views are
matched element by element in document order. Every change is then a splice of the original
text: the new value of a text node or an attribute, or an inserted element. Everything else
(declaration, comments, element order, indentation, line endings, BOM, encoding) keeps its
bytes. The result is parsed again and checked before it is returned.

Pure functions over bytes; no I/O. Used by the action plugins stproxy_config and userinfo_config; the modules'
argument specs and their target-side writer live in xml_worker.py (standard library only).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import codecs
import re

from ansible_collections.sametime.deploy.plugins.module_utils.xml_worker import PHOTO_CACHE_OPTIONS, USERINFO_CONFIG_SPEC

try:
    from urllib.parse import urlsplit
except ImportError:  # pragma: no cover - Python 2 sanity only
    from urlparse import urlsplit  # type: ignore

try:
    from lxml import etree
    HAS_LXML = True
    LXML_IMPORT_ERROR = None
except ImportError as _exc:  # pragma: no cover - exercised where lxml is absent
    etree = None
    HAS_LXML = False
    LXML_IMPORT_ERROR = _exc


class XmlConfigError(Exception):
    """A problem with the input file or the requested values. The message names what and where."""


# photo_cache option -> element name, in the documented order of the section
PHOTO_CACHE_CHILDREN = (
    ('enabled', 'enabled'),
    ('storage_location', 'storageLocation'),
    ('cache_expiry', 'cacheExpiry'),
    ('proxy_server_url', 'proxyServerURL'),
)

_XML_ILLEGAL = re.compile(u'[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]')
# a line break or tab in a one-line value would change the file's layout (and is never part of a path or URL)
_CONTROL = re.compile(u'[\x00-\x1f\x7f-\x9f\u2028\u2029]')
_WINDOWS_ABS = re.compile(r'^(?:[A-Za-z]:[\\/]|\\\\)')
_LDAP_ATTR = re.compile(r'^(?:[A-Za-z][A-Za-z0-9-]*|[0-9]+(?:\.[0-9]+)+)\Z')
_DETAIL_ID = re.compile(r'^[A-Za-z][A-Za-z0-9_.-]*\Z')


# ---------------------------------------------------------------------------------------------
# Value checks (all run before anything is read or written)
# ---------------------------------------------------------------------------------------------

def _check_text(name, value):
    if _XML_ILLEGAL.search(value):
        raise XmlConfigError('%s contains a character that XML 1.0 cannot hold: %r' % (name, value))
    if _CONTROL.search(value):
        raise XmlConfigError('%s must be one line without control characters (a line break, tab or other control '
                             'character would change the layout of the file): %r' % (name, value))
    return value


def validate_photo_cache(photo_cache):
    """Check the photo_cache option and return {element name: text} for the values that were given.

    Raises XmlConfigError naming the first bad value. None values are left out (left as they are).
    """
    if not isinstance(photo_cache, dict):
        raise XmlConfigError('photo_cache must be a dictionary, got %r' % (photo_cache,))
    unknown = sorted(set(photo_cache) - set(PHOTO_CACHE_OPTIONS))
    if unknown:
        raise XmlConfigError('photo_cache has unknown keys: %s (known: %s)'
                             % (', '.join(unknown), ', '.join(sorted(PHOTO_CACHE_OPTIONS))))
    wanted = {}
    enabled = photo_cache.get('enabled')
    if enabled is not None:
        if not isinstance(enabled, bool):
            raise XmlConfigError('photo_cache.enabled must be a boolean, got %r' % (enabled,))
        wanted['enabled'] = 'true' if enabled else 'false'

    expiry = photo_cache.get('cache_expiry')
    if expiry is not None:
        text = u'%s' % (expiry,)
        if isinstance(expiry, bool) or not re.match(r'^[0-9]+\Z', text.strip()) or int(text) < 1:
            raise XmlConfigError('photo_cache.cache_expiry must be a positive integer, got %r' % (expiry,))
        wanted['cacheExpiry'] = u'%d' % int(text)

    location = photo_cache.get('storage_location')
    if location is not None:
        location = _check_text('photo_cache.storage_location', u'%s' % location)
        if not (location.startswith('/') or _WINDOWS_ABS.match(location)):
            raise XmlConfigError('photo_cache.storage_location must be an absolute path '
                                 '(/… or C:\\…), got %r' % (location,))
        wanted['storageLocation'] = location

    url = photo_cache.get('proxy_server_url')
    if url is not None:
        url = _check_text('photo_cache.proxy_server_url', u'%s' % url)
        try:
            parts = urlsplit(url)
            host = parts.hostname
            parts.port  # pylint: disable=pointless-statement  # raises ValueError on a bad port
        except ValueError as exc:
            raise XmlConfigError('photo_cache.proxy_server_url is not a valid URL (%s): %r' % (exc, url))
        if parts.scheme not in ('http', 'https'):
            raise XmlConfigError('photo_cache.proxy_server_url needs a scheme (http:// or https://), got %r' % (url,))
        if not host or re.search(r'\s', url):
            raise XmlConfigError('photo_cache.proxy_server_url needs a host name, got %r' % (url,))
        wanted['proxyServerURL'] = url

    if not wanted:
        raise XmlConfigError('photo_cache sets nothing: give at least one of %s'
                             % ', '.join(option for option, _element in PHOTO_CACHE_CHILDREN))
    return wanted


def validate_userinfo(params):
    """Check the userinfo_config options; return a normalised dict."""
    attribute = u'%s' % (params.get('photo_attribute') or '')
    if not _LDAP_ATTR.match(attribute):
        raise XmlConfigError('photo_attribute must be an LDAP attribute name (letters, digits, hyphens) or an OID, '
                             'got %r' % (params.get('photo_attribute'),))
    defaults = dict((key, spec.get('default')) for key, spec in USERINFO_CONFIG_SPEC.items())
    params = dict((key, defaults.get(key) if params.get(key) is None else params.get(key))
                  for key in set(defaults) | set(params))
    ids = [u'%s' % i for i in (params.get('detail_ids') or [])]
    if not ids:
        raise XmlConfigError('detail_ids must name at least one business-card field')
    for ident in ids:
        if not _DETAIL_ID.match(ident):
            raise XmlConfigError('detail_ids entries must be simple names such as PhotoURL, got %r' % (ident,))
    if len(set(ids)) != len(ids):
        raise XmlConfigError('detail_ids has duplicates: %s' % ', '.join(ids))
    set_ids = [u'%s' % s for s in (params.get('set_ids') or [])]
    for set_id in set_ids:
        if not re.match(r'^[0-9]+\Z', set_id):
            raise XmlConfigError('set_ids entries must be numbers such as 0 and 1, got %r' % (set_id,))
    detail_type = _check_text('detail_type', u'%s' % (params.get('detail_type') or 'text/plain'))
    if not re.match(r'^[A-Za-z0-9.+-]+/[A-Za-z0-9.+-]+\Z', detail_type):
        raise XmlConfigError('detail_type must be a MIME type such as text/plain, got %r' % (detail_type,))
    remove_photo = bool(params.get('remove_photo'))
    if remove_photo and 'Photo' in ids:
        raise XmlConfigError('remove_photo cannot be used while detail_ids contains Photo')
    return dict(photo_attribute=attribute, detail_ids=ids, set_ids=set_ids, detail_type=detail_type,
                remove_photo=remove_photo, storage_type=u'%s' % (params.get('storage_type') or 'LDAP'))


# ---------------------------------------------------------------------------------------------
# The document: bytes <-> text, lxml tree, scanner offsets, splices
# ---------------------------------------------------------------------------------------------

_BOMS = (
    (codecs.BOM_UTF8, 'utf-8'),
    (codecs.BOM_UTF32_LE, 'utf-32-le'),
    (codecs.BOM_UTF32_BE, 'utf-32-be'),
    (codecs.BOM_UTF16_LE, 'utf-16-le'),
    (codecs.BOM_UTF16_BE, 'utf-16-be'),
)
_DECL_ENCODING = re.compile(br'^<\?xml[^>]*?encoding\s*=\s*["\']([A-Za-z][A-Za-z0-9._-]*)["\']')
_NAME = re.compile(r'[^\s/>]+')
_ATTR = re.compile(r'\s*([^\s=/>]+)\s*=\s*(?:"([^"]*)"|\'([^\']*)\')')
_STAG_END = re.compile(r'\s*(/?)>')


class _Node(object):
    """Offsets of one element in the text. `end` is after the end tag (or after `/>`)."""

    __slots__ = ('qname', 'start', 'stag_end', 'etag_start', 'end', 'attrs', 'empty', 'parent', 'children')

    def __init__(self, qname, start, parent):
        self.qname = qname
        self.start = start
        self.stag_end = None
        self.etag_start = None
        self.end = None
        self.attrs = []  # (name, value_start, value_end, quote)
        self.empty = False
        self.parent = parent
        self.children = []

    @property
    def local(self):
        return self.qname.split(':', 1)[-1]


def _local(tag):
    return tag.rsplit('}', 1)[-1] if isinstance(tag, str) else tag


def _scan(text, start):
    """Offsets of every element from `start` (the root's `<`) on. Input must be well formed."""
    nodes = []
    stack = []
    pos = start
    length = len(text)
    while pos < length:
        lt = text.find('<', pos)
        if lt < 0:
            break
        if text.startswith('<!--', lt):
            pos = text.index('-->', lt + 4) + 3
        elif text.startswith('<![CDATA[', lt):
            pos = text.index(']]>', lt + 9) + 3
        elif text.startswith('<?', lt):
            pos = text.index('?>', lt + 2) + 2
        elif text.startswith('</', lt):
            node = stack.pop()
            node.etag_start = lt
            node.end = text.index('>', lt) + 1
            pos = node.end
            if not stack:
                break
        else:
            match = _NAME.match(text, lt + 1)
            node = _Node(match.group(0), lt, stack[-1] if stack else None)
            if node.parent is not None:
                node.parent.children.append(node)
            cursor = match.end()
            while True:
                attr = _ATTR.match(text, cursor)
                if not attr:
                    break
                group = 2 if attr.group(2) is not None else 3
                node.attrs.append((attr.group(1), attr.start(group), attr.end(group), '"' if group == 2 else "'"))
                cursor = attr.end()
            close = _STAG_END.match(text, cursor)
            node.stag_end = close.end()
            node.empty = close.group(1) == '/'
            nodes.append(node)
            pos = node.stag_end
            if node.empty:
                node.end = node.stag_end
                if not stack:
                    break
            else:
                stack.append(node)
    return nodes


def escape_text(value):
    return value.replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;')


def escape_attr(value, quote='"'):
    value = escape_text(value).replace('\t', '&#9;').replace('\n', '&#10;').replace('\r', '&#13;')
    return value.replace('"', '&quot;') if quote == '"' else value.replace("'", '&apos;')


def _parser():
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, remove_blank_text=False,
                           remove_comments=False, remove_pis=False, huge_tree=False, strip_cdata=False)


def parse_error(exc, data=None):
    """A one-line message with line and column from an lxml XMLSyntaxError."""
    line, column = getattr(exc, 'position', (None, None)) or (None, None)
    message = getattr(exc, 'msg', None) or u'%s' % exc
    message = re.sub(r',? line \d+, column \d+$', '', message)
    return u'malformed XML at line %s, column %s: %s' % (line, column, message)


def _skip_quoted(text, pos):
    """`pos` is at a quote: the offset after the matching one."""
    return text.index(text[pos], pos + 1) + 1


def _skip_declaration(text, pos):
    """`pos` is at `<!` of a markup declaration inside the internal subset: the offset after its `>`.

    Quoted literals may hold `>` (an entity value, a default attribute value); nothing else nests here.
    """
    pos += 2
    while text[pos] != '>':
        pos = _skip_quoted(text, pos) if text[pos] in '"\'' else pos + 1
    return pos + 1


def _skip_doctype(text, lt):
    """`lt` is at `<!DOCTYPE`: the offset after its closing `>`.

    The internal subset is read the way XML 1.0 (section 2.8) defines it: comments and processing instructions
    are opaque (a quote or bracket inside them means nothing), literals are opaque inside declarations, and the
    subset ends at the first `]` outside all of them.
    """
    pos = lt + 2
    while True:
        char = text[pos]
        if char in '"\'':
            pos = _skip_quoted(text, pos)
        elif char == '>':
            return pos + 1
        elif char == '[':
            pos += 1
            while text[pos] != ']':
                if text.startswith('<!--', pos):
                    pos = text.index('-->', pos + 4) + 3
                elif text.startswith('<?', pos):
                    pos = text.index('?>', pos + 2) + 2
                elif text.startswith('<!', pos):
                    pos = _skip_declaration(text, pos)
                else:  # blanks and parameter-entity references
                    pos += 1
            pos += 1
        else:
            pos += 1


class XmlDocument(object):
    """An XML file held as text plus lxml tree plus element offsets, with recorded splices."""

    def __init__(self, data, name='the file'):
        if not HAS_LXML:
            raise XmlConfigError('the Python library lxml is required on the controller: %s' % LXML_IMPORT_ERROR)
        if isinstance(data, str):  # text given: keep it, as UTF-8
            data = data.encode('utf-8')
        self.name = name
        self.data = data
        self.bom = b''
        self.encoding = 'utf-8'
        for bom, encoding in _BOMS:
            if data.startswith(bom):
                self.bom, self.encoding = bom, encoding
                break
        else:
            match = _DECL_ENCODING.match(data)
            if match:
                declared = match.group(1).decode('ascii')
                try:
                    self.encoding = codecs.lookup(declared).name
                except LookupError:
                    raise XmlConfigError('%s declares an encoding Python does not know: %s' % (name, declared))
        try:
            self.root = etree.fromstring(data, _parser())
        except etree.XMLSyntaxError as exc:
            raise XmlConfigError(u'%s: %s' % (name, parse_error(exc)))
        body = data[len(self.bom):]
        try:
            self.text = body.decode(self.encoding)
        except UnicodeDecodeError as exc:
            raise XmlConfigError('%s is not valid %s at byte %d' % (name, self.encoding, exc.start + len(self.bom)))
        if self.text.encode(self.encoding) != body:
            raise XmlConfigError('%s: its encoding %s does not round-trip, so it cannot be edited byte-exactly'
                                 % (name, self.encoding))
        self._refuse_entity_references()
        self._map_elements()
        self.edits = []
        self.changes = []
        crlf = self.text.count('\r\n')
        self.newline = '\r\n' if crlf and crlf * 2 >= self.text.count('\n') else '\n'
        self.unit = self._indent_unit()

    # -- mapping -----------------------------------------------------------------------------
    def _refuse_entity_references(self):
        """An entity reference in element content may expand to elements (a whole <photoCache>) that neither the
        edit nor the byte-exact splice can see, so such a file is refused. Character references and the five
        predefined entities are plain text to lxml and stay allowed; references in attribute values are expanded by
        the parser and are allowed too."""
        for reference in self.root.iter(etree.Entity):
            raise XmlConfigError('%s uses the entity reference %s at line %s inside its elements; what it expands '
                                 'to is hidden from a byte-exact edit, so the file is left alone (write the '
                                 'expansion out in the file to let the module edit it)'
                                 % (self.name, reference.text, reference.sourceline))

    def _map_elements(self):
        elements = [el for el in self.root.iter() if isinstance(el.tag, str)]
        try:
            nodes = _scan(self.text, self._root_offset())
        except (ValueError, IndexError, AttributeError) as exc:  # a bug guard: lxml read the file, we could not
            raise XmlConfigError('%s: internal check failed: the text scanner could not follow the file (%s: %s); '
                                 'the file is left alone' % (self.name, type(exc).__name__, exc))
        if len(nodes) != len(elements) or any(_local(e.tag) != n.local for e, n in zip(elements, nodes)):
            raise XmlConfigError('%s: internal check failed: the text scanner and lxml disagree on the elements '
                                 '(%d vs %d); the file is left alone' % (self.name, len(nodes), len(elements)))
        self.elements = elements
        self._node = dict(zip(elements, nodes))

    def _root_offset(self):
        """Offset of the root element's `<`: skip the prolog (declaration, comments, PIs, DOCTYPE)."""
        text = self.text
        pos = 0
        while True:
            lt = text.index('<', pos)
            if text.startswith('<?', lt):
                pos = text.index('?>', lt) + 2
            elif text.startswith('<!--', lt):
                pos = text.index('-->', lt) + 3
            elif text.startswith('<!', lt):
                pos = _skip_doctype(text, lt)
            else:
                return lt

    def node(self, element):
        return self._node[element]

    # -- layout ------------------------------------------------------------------------------
    def line_indent(self, offset):
        """Whitespace between the previous line break and `offset`, or None when other text is there."""
        line_start = max(self.text.rfind('\n', 0, offset), self.text.rfind('\r', 0, offset)) + 1
        lead = self.text[line_start:offset]
        return lead if lead.strip() == '' and '\n' not in lead else None

    def _indent_unit(self):
        votes = {}
        for element in self.elements:
            node = self._node[element]
            if node.parent is None:
                continue
            child = self.line_indent(node.start)
            parent = self.line_indent(node.parent.start)
            if child is None or parent is None or not child.startswith(parent) or len(child) == len(parent):
                continue
            unit = child[len(parent):]
            votes[unit] = votes.get(unit, 0) + 1
        if not votes:
            return '  '
        return sorted(votes.items(), key=lambda item: (-item[1], len(item[0])))[0][0]

    def layout(self, parent):
        """(separator before each child, child indent, parent indent) for inserting into `parent`."""
        pnode = self._node[parent]
        parent_indent = self.line_indent(pnode.start)
        kids = pnode.children
        if kids:
            indents = [self.line_indent(kid.start) for kid in kids]
            known = [i for i in indents if i is not None]
            if not known:
                return '', '', parent_indent or ''
            return self.newline, known[0], parent_indent or ''
        if not self._pretty():
            return '', '', parent_indent or ''
        parent_indent = parent_indent or ''
        return self.newline, parent_indent + self.unit, parent_indent

    # -- splices -----------------------------------------------------------------------------
    def splice(self, start, end, text):
        self.edits.append((start, end, len(self.edits), text))

    def set_text(self, element, value, label):
        """Make the element's whole text content `value` (a simple element: no child elements)."""
        node = self._node[element]
        if len(element):
            raise XmlConfigError('%s: <%s> at line %d holds child elements, expected a plain value'
                                 % (self.name, label, element.sourceline))
        current = ''.join(element.itertext())
        if current == value:
            return False
        if node.empty:
            slash = self.text.rindex('/', node.start, node.stag_end)
            self.splice(slash, node.stag_end, '>%s</%s>' % (escape_text(value), node.qname))
        else:
            self.splice(node.stag_end, node.etag_start, escape_text(value))
        self.changes.append(u'%s: %r -> %r' % (label, current if len(current) < 200 else current[:200], value))
        return True

    def set_attr(self, element, name, value, label):
        node = self._node[element]
        current = element.get(name)
        if current == value:
            return False
        for attr_name, vstart, vend, quote in node.attrs:
            if attr_name == name:
                self.splice(vstart, vend, escape_attr(value, quote))
                break
        else:
            end = node.stag_end - (2 if node.empty else 1)
            while self.text[end - 1] in ' \t\r\n':
                end -= 1
            self.splice(end, end, ' %s="%s"' % (name, escape_attr(value)))
        self.changes.append(u'%s@%s: %r -> %r' % (label, name, current, value))
        return True

    def insert_children(self, parent, rendered, after=None, before=None):
        """Insert rendered child elements (from render_element) into `parent`.

        after: an existing child element to insert after; before: one to insert before;
        neither: append as the last children.
        """
        sep, indent, parent_indent = self.layout(parent)
        pieces = [render(indent, sep) for render in rendered]
        pnode = self._node[parent]
        if after is None and before is None and pnode.children:
            after = [el for el in parent if isinstance(el.tag, str)][-1]
        if after is not None:
            end = self._node[after].end
            self.splice(end, end, ''.join(sep + indent + p for p in pieces))
        elif before is not None:
            start = self._node[before].start
            self.splice(start, start, ''.join(p + sep + indent for p in pieces))
        elif pnode.empty:
            slash = self.text.rindex('/', pnode.start, pnode.stag_end)
            body = ''.join(sep + indent + p for p in pieces) + sep + (parent_indent if sep else '')
            self.splice(slash, pnode.stag_end, '>%s</%s>' % (body, pnode.qname))
        else:
            close_indent = self.line_indent(pnode.etag_start)
            if sep and close_indent is not None:  # the end tag is on a line of its own: insert above it
                line_start = pnode.etag_start - len(close_indent)
                self.splice(line_start, line_start, ''.join(indent + p + sep for p in pieces))
            else:
                tail = sep + parent_indent if sep else ''
                self.splice(pnode.etag_start, pnode.etag_start, ''.join(sep + indent + p for p in pieces) + tail)

    def render_element(self, qname, text=None, children=None, attrs=None, self_closing=False, quote='"',
                       empty_end='/>'):
        """A callable (indent, separator) -> element text; children are (qname, text) pairs one level deeper."""
        def render(indent, sep):
            open_tag = '<%s%s' % (qname, ''.join(' %s=%s%s%s' % (k, quote, escape_attr(v, quote), quote)
                                                 for k, v in (attrs or [])))
            if children:
                inner = indent + self.unit if sep else ''
                body = ''.join('%s%s<%s>%s</%s>' % (sep, inner, c, escape_text(t), c) for c, t in children)
                return '%s>%s%s%s</%s>' % (open_tag, body, sep, indent if sep else '', qname)
            if text is None and self_closing:
                return open_tag + empty_end
            return '%s>%s</%s>' % (open_tag, escape_text(text or ''), qname)
        return render

    def _pretty(self):
        """True when the file lays its elements out on lines (otherwise insert without line breaks)."""
        rnode = self._node[self.root]
        if '\n' in self.text[rnode.start:rnode.end]:
            return True
        return not rnode.children and '\n' in self.text.strip()

    def render(self):
        """The edited file as bytes (BOM and encoding kept); checked by parsing it again."""
        if not self.edits:
            return self.data
        out = []
        pos = 0
        for start, end, _seq, text in sorted(self.edits):
            if start < pos:
                raise XmlConfigError('%s: internal check failed: overlapping edits' % self.name)
            out.append(self.text[pos:start])
            out.append(text)
            pos = end
        out.append(self.text[pos:])
        result = self.bom + ''.join(out).encode(self.encoding, 'xmlcharrefreplace')
        try:
            etree.fromstring(result, _parser())
        except etree.XMLSyntaxError as exc:  # pragma: no cover - a bug guard
            raise XmlConfigError('%s: internal check failed, the edited text is not well formed (%s); '
                                 'the file is left alone' % (self.name, parse_error(exc)))
        return result


def _children_named(element, local):
    return [child for child in element if isinstance(child.tag, str) and _local(child.tag) == local]


# ---------------------------------------------------------------------------------------------
# stproxyconfig.xml: <configuration><photoCache>…</photoCache></configuration>
# ---------------------------------------------------------------------------------------------

NEW_STPROXY_CONFIG = u'<?xml version="1.0" encoding="UTF-8"?>\n<configuration>\n</configuration>\n'


def edit_photo_cache(data, photo_cache, name='stproxyconfig.xml'):
    """Apply the photo_cache settings to stproxyconfig.xml bytes.

    Returns (new_bytes, changes) where changes is a list of human-readable lines (empty: nothing to do).
    Raises XmlConfigError; nothing is written by this function.
    """
    wanted = validate_photo_cache(photo_cache)
    doc = XmlDocument(data, name)
    root = doc.root
    if _local(root.tag) != 'configuration':
        raise XmlConfigError('%s: the root element is <%s> (line %d), expected <configuration>'
                             % (name, doc.node(root).qname, root.sourceline))
    sections = _children_named(root, 'photoCache')
    if len(sections) > 1:
        raise XmlConfigError('%s: <photoCache> appears %d times (lines %s); expected one'
                             % (name, len(sections), ', '.join(str(s.sourceline) for s in sections)))
    order = [element for _option, element in PHOTO_CACHE_CHILDREN]
    if not sections:
        children = [(element, wanted[element]) for element in order if element in wanted]
        doc.insert_children(root, [doc.render_element('photoCache', children=children)])
        doc.changes.append(u'photoCache: created with %s' % ', '.join('%s=%r' % c for c in children))
        return doc.render(), doc.changes

    section = sections[0]
    present = {}
    for element in order:
        found = _children_named(section, element)
        if len(found) > 1:
            raise XmlConfigError('%s: <photoCache> (line %d) has %d <%s> elements (lines %s); expected one'
                                 % (name, section.sourceline, len(found), element,
                                    ', '.join(str(f.sourceline) for f in found)))
        if found:
            present[element] = found[0]
    # change the existing values
    for element in order:
        if element in wanted and element in present:
            doc.set_text(present[element], wanted[element], 'photoCache/%s' % element)
    # insert the missing ones next to their documented neighbours
    missing = [element for element in order if element in wanted and element not in present]
    groups = []  # (anchor element or None, [element names])
    for element in missing:
        index = order.index(element)
        anchor = None
        for earlier in reversed(order[:index]):
            if earlier in present:
                anchor = present[earlier]
                break
        if groups and groups[-1][0] is anchor:
            groups[-1][1].append(element)
        else:
            groups.append((anchor, [element]))
    for anchor, elements in groups:
        rendered = [doc.render_element(e, text=wanted[e]) for e in elements]
        if anchor is not None:
            doc.insert_children(section, rendered, after=anchor)
        else:
            following = [present[e] for e in order if e in present]
            doc.insert_children(section, rendered, before=following[0] if following else None)
        for element in elements:
            doc.changes.append(u'photoCache/%s: added %r' % (element, wanted[element]))
    return doc.render(), doc.changes


# ---------------------------------------------------------------------------------------------
# UserInfoConfig.xml: <Detail Id=… FieldName=… Type=…/> and <Set SetId=… params=…/>
# ---------------------------------------------------------------------------------------------

def edit_userinfo(data, params, name='UserInfoConfig.xml'):
    """Map detail_ids to photo_attribute and list them in the Set params. Returns (new_bytes, changes)."""
    opts = validate_userinfo(params)
    doc = XmlDocument(data, name)
    root = doc.root
    if _local(root.tag) != 'UserInformation':
        raise XmlConfigError('%s: the root element is <%s> (line %d), expected <UserInformation>'
                             % (name, doc.node(root).qname, root.sourceline))
    storages = [el for el in root.iter() if isinstance(el.tag, str) and _local(el.tag) == 'Storage'
                and (el.get('type') or '').lower() == opts['storage_type'].lower()]
    if len(storages) != 1:
        raise XmlConfigError('%s: expected one <Storage type="%s">, found %d'
                             % (name, opts['storage_type'], len(storages)))
    storage = storages[0]
    details_list = [el for el in storage.iter() if isinstance(el.tag, str) and _local(el.tag) == 'Details']
    if len(details_list) != 1:
        raise XmlConfigError('%s: expected one <Details> inside <Storage type="%s"> (line %d), found %d'
                             % (name, opts['storage_type'], storage.sourceline, len(details_list)))
    details = details_list[0]
    existing = _children_named(details, 'Detail')
    # attribute order and closing style of the new Detail elements follow an existing one
    attr_order = ['Id', 'FieldName', 'Type']
    quote, empty_end = '"', '/>'
    if existing:
        model = doc.node(existing[-1])
        seen = [a[0] for a in model.attrs if a[0] in attr_order]
        if len(seen) == 3:
            attr_order = seen
        if model.attrs:
            quote = model.attrs[0][3]
        if model.empty:
            empty_end = ' />' if doc.text[model.stag_end - 3] in ' \t' else '/>'
    wanted_attrs = {'FieldName': opts['photo_attribute'], 'Type': opts['detail_type']}
    new_details = []
    for ident in opts['detail_ids']:
        found = [d for d in existing if d.get('Id') == ident]
        if len(found) > 1:
            raise XmlConfigError('%s: <Detail Id="%s"> appears %d times (lines %s)'
                                 % (name, ident, len(found), ', '.join(str(f.sourceline) for f in found)))
        if found:
            for attr in ('FieldName', 'Type'):
                doc.set_attr(found[0], attr, wanted_attrs[attr], 'Detail[Id=%s]' % ident)
        else:
            values = dict(wanted_attrs, Id=ident)
            new_details.append(doc.render_element('Detail', attrs=[(a, values[a]) for a in attr_order],
                                                  self_closing=True, quote=quote, empty_end=empty_end))
            doc.changes.append(u'Detail[Id=%s]: added with FieldName=%r' % (ident, opts['photo_attribute']))
    if new_details:
        doc.insert_children(details, new_details)

    all_sets = [el for el in root.iter() if isinstance(el.tag, str) and _local(el.tag) == 'Set']
    for set_id in opts['set_ids']:
        candidates = [s for s in all_sets if s.get('SetId') == set_id]
        inside = [s for s in candidates if storage in s.iterancestors()]
        if inside:
            candidates = inside
        if len(candidates) != 1:
            raise XmlConfigError('%s: expected one <Set SetId="%s">, found %d%s'
                                 % (name, set_id, len(candidates),
                                    ' (lines %s)' % ', '.join(str(c.sourceline) for c in candidates)
                                    if candidates else ''))
        element = candidates[0]
        current = element.get('params')
        if current is None:
            raise XmlConfigError('%s: <Set SetId="%s"> at line %d has no params attribute'
                                 % (name, set_id, element.sourceline))
        tokens = current.split(',') if current != '' else []
        names = [t.strip() for t in tokens]
        lead = ' ' if re.search(r',\s', current) else ''  # 'Name, Title' style: keep the space after commas
        missing = [ident for ident in opts['detail_ids'] if ident not in names]
        add = [(lead if tokens or index else '') + ident for index, ident in enumerate(missing)]
        if opts['remove_photo'] and 'Photo' in names:
            at = names.index('Photo')
            if at == 0 and add:
                add[0] = add[0].lstrip()
            tokens = tokens[:at] + add + [t for t in tokens[at + 1:] if t.strip() != 'Photo']
        else:
            tokens = tokens + add
        doc.set_attr(element, 'params', ','.join(tokens), 'Set[SetId=%s]' % set_id)
    return doc.render(), doc.changes
