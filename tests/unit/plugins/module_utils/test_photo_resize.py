# -*- coding: utf-8 -*-
# Copyright: contributors to the sametime.deploy collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""plan_photo on real images made here with Pillow: the output bytes are decoded again and checked (format, size,
dimensions, pixels, markers), never compared with numbers taken from the code under test."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import importlib
import io
import random
import struct
import sys
import zlib

import pytest
from PIL import Image, ImageCms

from ansible_collections.sametime.deploy.plugins.module_utils import photo_resize

LIMIT = 46080  # HCL: under 45 KB, written out rather than taken from the module
EDGE = 150


def noise(mode, size, seed=1):
    bands = len(Image.new(mode, (1, 1)).getbands())
    rng = random.Random(seed)
    return Image.frombytes(mode, size, bytes(rng.getrandbits(8) for _index in range(size[0] * size[1] * bands)))


def encoded(image, fmt, **params):
    buf = io.BytesIO()
    image.save(buf, fmt, **params)
    return buf.getvalue()


def big_jpeg(size=(1200, 900)):
    return encoded(noise('RGB', size), 'JPEG', quality=95)


def small_jpeg():
    image = Image.linear_gradient('L').resize((100, 80)).convert('RGB')
    return encoded(image, 'JPEG', quality=85)


def png_with_alpha():
    """400x200, left half fully transparent, right half opaque red, noise in the colour channels of the left half."""
    image = noise('RGBA', (400, 200))
    image.paste((255, 0, 0, 255), (200, 0, 400, 200))
    alpha = Image.new('L', (400, 200), 0)
    alpha.paste(255, (200, 0, 400, 200))
    image.putalpha(alpha)
    return encoded(image, 'PNG')


def cmyk_jpeg():
    """1000x1000 CMYK: top half solid red (C=0 M=255 Y=255 K=0), bottom half noise so that it is far over the limit."""
    image = noise('CMYK', (1000, 1000))
    image.paste((0, 255, 255, 0), (0, 0, 1000, 500))
    return encoded(image, 'JPEG', quality=95)


def small_gif():
    return encoded(Image.linear_gradient('L').resize((64, 64)).convert('P'), 'GIF')


def big_gif_with_transparency():
    """600x600 palette noise (incompressible for LZW), index 0 transparent over the left third."""
    image = noise('P', (600, 600))
    image.paste(0, (0, 0, 200, 600))
    return encoded(image, 'GIF', transparency=0)


def rotated_jpeg():
    """Stored 1600x800 (landscape) with EXIF orientation 6 (display rotated 90 degrees clockwise): its left half is
    black, so the displayed picture is portrait with a black top half."""
    image = noise('RGB', (1600, 800))
    image.paste((0, 0, 0), (0, 0, 800, 800))
    exif = Image.Exif()
    exif[0x0112] = 6
    return encoded(image, 'JPEG', quality=95, exif=exif.tobytes())


def jpeg_with_metadata():
    exif = Image.Exif()
    exif[0x010F] = 'Camera maker'
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile('sRGB')).tobytes()
    return encoded(noise('RGB', (800, 800)), 'JPEG', quality=95, exif=exif.tobytes(), icc_profile=profile)


def sixteen_bit_png():
    """16-bit grayscale, every sample 32768 (mid grey): 8-bit output must be about 128, not clipped to white."""
    return encoded(Image.new('I;16', (300, 200), 32768), 'PNG')


def png_header(width, height):
    """A PNG whose header claims width x height (no pixel data follows): what a decompression bomb starts with."""
    def chunk(kind, body):
        return struct.pack('>I', len(body)) + kind + body + struct.pack('>I', zlib.crc32(kind + body) & 0xffffffff)
    return (b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', width, height, 8, 2, 0, 0, 0)) +
            chunk(b'IDAT', zlib.compress(b'\x00' * 16)) + chunk(b'IEND', b''))


def random_bytes():
    rng = random.Random(7)
    return b'\x00' + bytes(rng.getrandbits(8) for _index in range(4096))


def jpeg_markers(data):
    """The marker bytes of a JPEG's header segments up to the scan, parsed here independently of Pillow."""
    assert data[:2] == b'\xff\xd8'
    markers, pos = [], 2
    while pos < len(data):
        assert data[pos] == 0xff, 'not a marker at %d' % pos
        marker = data[pos + 1]
        length = struct.unpack('>H', data[pos + 2:pos + 4])[0]
        markers.append((marker, data[pos + 4:pos + 2 + length]))
        if marker == 0xda:  # start of scan: entropy-coded data follows
            break
        pos += 2 + length
    return markers


def decoded(data):
    image = Image.open(io.BytesIO(data))
    assert image.format == 'JPEG'
    image.load()
    return image


def check_resized(payload, source_size):
    """A clean baseline RGB JPEG within the limit, longest edge EDGE, the source's aspect ratio."""
    image = decoded(payload)
    assert len(payload) <= LIMIT
    assert image.mode == 'RGB'
    width, height = image.size
    assert max(width, height) == EDGE
    assert abs(width / height - source_size[0] / source_size[1]) < 2.0 / EDGE
    markers = jpeg_markers(payload)
    kinds = [marker for marker, _body in markers]
    assert 0xc0 in kinds and 0xc2 not in kinds  # baseline, not progressive
    for marker, body in markers:
        assert not (marker == 0xe1 and body.startswith(b'Exif\x00')), 'EXIF kept'
        assert not (marker == 0xe2 and body.startswith(b'ICC_PROFILE\x00')), 'ICC profile kept'
    return image


SNIFF_TABLE = [
    (b'\xff\xd8\xff\xe0\x00\x10JFIF\x00', 'jpeg'),
    (b'\xff\xd8\xff\xee\x00\x0eAdobe', 'jpeg'),
    (b'GIF89a\x01\x00\x01\x00', 'gif'),
    (b'GIF87a\x01\x00\x01\x00', 'gif'),
    (b'\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR', 'png'),
    (b'BM\x8a\x00\x00\x00\x00\x00', 'bmp'),
    (b'II*\x00\x08\x00\x00\x00', 'tiff'),
    (b'MM\x00*\x00\x00\x00\x08', 'tiff'),
    (b'RIFF\x24\x00\x00\x00WEBPVP8 ', 'webp'),
    (b'\x00\x00\x00\x18ftypheic\x00\x00\x00\x00', 'heif'),
    (b'\x00\x00\x00\x1cftypavif\x00\x00\x00\x00', 'avif'),
    (b'\x00\x00\x00\x0cjP  \r\n\x87\n\x00\x00', 'jpeg2000'),
    (b'\xff\xd8', None),  # SOI alone, no marker after it
    (b'<svg xmlns="http://www.w3.org/2000/svg">', None),
    (b'', None),
    (b'GIF90a', None),
]


@pytest.mark.parametrize('data, expected', SNIFF_TABLE)
def test_sniff_format(data, expected):
    assert photo_resize.sniff_format(data) == expected


def test_sniff_format_of_real_images():
    assert photo_resize.sniff_format(small_jpeg()) == 'jpeg'
    assert photo_resize.sniff_format(small_gif()) == 'gif'
    assert photo_resize.sniff_format(png_with_alpha()) == 'png'
    assert photo_resize.sniff_format(encoded(Image.new('RGB', (4, 4)), 'BMP')) == 'bmp'
    assert photo_resize.sniff_format(encoded(Image.new('RGB', (4, 4)), 'TIFF')) == 'tiff'
    assert photo_resize.sniff_format(bytearray(small_jpeg())) == 'jpeg'


# (name, data factory, resize, expected action, words the reason must contain)
PLAN_TABLE = [
    ('small JPEG kept', small_jpeg, False, 'keep', ['JPEG']),
    ('small JPEG kept with resize on too', small_jpeg, True, 'keep', ['JPEG']),
    ('small GIF kept', small_gif, False, 'keep', ['GIF']),
    ('big JPEG skipped', big_jpeg, False, 'skip', ['KB >', '45.0 KB limit', '> 46080 bytes']),
    ('PNG skipped', lambda: encoded(Image.new('RGB', (8, 8)), 'PNG'), False, 'skip', ['PNG, clients show JPEG or GIF']),
    ('BMP skipped', lambda: encoded(Image.new('RGB', (8, 8)), 'BMP'), False, 'skip', ['BMP, clients show']),
    ('random bytes skipped', random_bytes, False, 'skip', ['unknown format (first bytes 00 ', 'clients show']),
    ('truncated JPEG refused', lambda: big_jpeg()[:20000], False, 'refuse', ['JPEG without end marker']),
    ('truncated JPEG refused by the decoder', lambda: big_jpeg()[:20000], True, 'refuse',
     ['cannot decode JPEG', 'truncated']),
    ('random bytes refused', random_bytes, True, 'refuse', ['cannot decode unknown format', 'UnidentifiedImageError']),
    ('empty photo refused', lambda: b'', True, 'refuse', ['empty']),
    ('bomb header refused before decoding', lambda: png_header(8000, 8000), True, 'refuse',
     ['decompression bomb', '8000x8000', 'over the 24000000-pixel limit']),
    ("bomb header refused by Pillow's own check", lambda: png_header(50000, 50000), True, 'refuse',
     ['decompression bomb', '2500000000 pixels']),
    ("bomb header between Pillow's warning and error", lambda: png_header(10000, 10000), True, 'refuse',
     ['decompression bomb', '100000000 pixels']),
    ('big PNG skipped for both reasons', png_with_alpha, False, 'skip',
     ['PNG, clients show JPEG or GIF; 135.6 KB > 45.0 KB limit']),
    ('SVG refused (no decoder for it)', lambda: b'<svg xmlns="http://www.w3.org/2000/svg"/>', True, 'refuse',
     ['cannot decode']),
]


@pytest.mark.parametrize('name, make, resize, action, words', PLAN_TABLE, ids=[row[0] for row in PLAN_TABLE])
def test_plan_without_reencoding(name, make, resize, action, words):
    data = make()
    plan = photo_resize.plan_photo(data, LIMIT, resize, EDGE)
    assert plan.action == action
    for word in words:
        assert word in plan.reason
    if action == 'keep':
        assert plan.payload is data
    else:
        assert plan.payload is None


# (name, data factory, source size as displayed, words the reason must contain)
RESIZE_TABLE = [
    ('big JPEG', big_jpeg, (1200, 900), ['KB > 45.0 KB limit', 're-encoded as JPEG 150x112']),
    ('PNG with alpha', png_with_alpha, (400, 200), ['PNG, clients show JPEG or GIF', '150x75']),
    ('CMYK JPEG', cmyk_jpeg, (1000, 1000), ['150x150']),
    ('big GIF with transparency', big_gif_with_transparency, (600, 600), ['150x150']),
    ('EXIF-rotated JPEG', rotated_jpeg, (800, 1600), ['75x150']),
    ('JPEG with EXIF and ICC profile', jpeg_with_metadata, (800, 800), ['150x150']),
    ('16-bit grayscale PNG', sixteen_bit_png, (300, 200), ['150x100']),
    ('BMP', lambda: encoded(noise('RGB', (300, 150)), 'BMP'), (300, 150), ['BMP, clients show JPEG or GIF']),
]


@pytest.mark.parametrize('name, make, size, words', RESIZE_TABLE, ids=[row[0] for row in RESIZE_TABLE])
def test_resize_makes_a_clean_jpeg_within_the_limit(name, make, size, words):
    data = make()
    plan = photo_resize.plan_photo(data, LIMIT, True, EDGE)
    assert plan.action == 'resize', plan.reason
    for word in words:
        assert word in plan.reason
    check_resized(plan.payload, size)


@pytest.mark.parametrize('name, make, size, words', RESIZE_TABLE, ids=[row[0] for row in RESIZE_TABLE])
def test_resize_is_deterministic_and_its_output_is_kept(name, make, size, words):
    first = photo_resize.plan_photo(make(), LIMIT, True, EDGE).payload
    second = photo_resize.plan_photo(make(), LIMIT, True, EDGE).payload
    assert first == second
    again = photo_resize.plan_photo(first, LIMIT, True, EDGE)
    assert again.action == 'keep' and again.payload == first  # the next run does not rewrite it


def pixel(image, x, y):
    return image.convert('RGB').getpixel((x, y))


def close(actual, expected, tolerance=24):
    return all(abs(a - e) <= tolerance for a, e in zip(actual, expected))


def test_alpha_is_flattened_onto_white():
    image = decoded(photo_resize.plan_photo(png_with_alpha(), LIMIT, True, EDGE).payload)
    assert close(pixel(image, 10, 37), (255, 255, 255))  # transparent noise: white, not the hidden colours
    assert close(pixel(image, 140, 37), (255, 0, 0))


def test_gif_transparency_is_flattened_onto_white():
    image = decoded(photo_resize.plan_photo(big_gif_with_transparency(), LIMIT, True, EDGE).payload)
    assert close(pixel(image, 10, 75), (255, 255, 255))


def test_cmyk_colours_survive():
    image = decoded(photo_resize.plan_photo(cmyk_jpeg(), LIMIT, True, EDGE).payload)
    assert close(pixel(image, 75, 20), (255, 0, 0), tolerance=40)


def test_exif_orientation_is_applied_before_the_metadata_is_dropped():
    image = decoded(photo_resize.plan_photo(rotated_jpeg(), LIMIT, True, EDGE).payload)
    assert image.size == (75, 150)
    assert close(pixel(image, 37, 20), (0, 0, 0))  # the stored left half is the displayed top half
    assert image.getexif().get(0x0112) is None  # no orientation left to apply a second time


def test_sixteen_bit_samples_are_scaled_not_clipped():
    image = decoded(photo_resize.plan_photo(sixteen_bit_png(), LIMIT, True, EDGE).payload)
    assert close(pixel(image, 75, 50), (128, 128, 128), tolerance=3)


def test_small_source_is_not_enlarged():
    plan = photo_resize.plan_photo(encoded(noise('RGB', (120, 90)), 'PNG'), LIMIT, True, EDGE)
    assert plan.action == 'resize'
    assert decoded(plan.payload).size == (120, 90)


def test_quality_steps_down_before_the_edge_shrinks():
    # 150x150 noise does not fit 6000 bytes at quality 85 but does at a lower one, still at the full edge
    data = encoded(noise('RGB', (600, 600)), 'PNG')
    plan = photo_resize.plan_photo(data, 6000, True, EDGE)
    assert plan.action == 'resize', plan.reason
    assert len(plan.payload) <= 6000
    assert decoded(plan.payload).size == (150, 150)
    assert 'quality 85' not in plan.reason


def test_edge_shrinks_when_the_lowest_quality_does_not_fit():
    plan = photo_resize.plan_photo(big_jpeg(), 600, True, EDGE)
    assert plan.action == 'resize', plan.reason
    assert len(plan.payload) <= 600
    width, height = decoded(plan.payload).size
    assert 32 <= width < 150 and abs(width / height - 4 / 3) < 2.0 / height


def test_refused_when_nothing_fits():
    plan = photo_resize.plan_photo(big_jpeg(), 200, True, EDGE)
    assert plan.action == 'refuse'
    assert 'does not fit in 200 bytes even at 32 px' in plan.reason


def test_pillow_bomb_error_is_a_refusal():
    # own limit lifted: Pillow's decompression bomb error (over twice Image.MAX_IMAGE_PIXELS) must still refuse
    plan = photo_resize.plan_photo(png_header(20000, 20000), LIMIT, True, EDGE, max_source_pixels=10 ** 12)
    assert plan.action == 'refuse'
    assert 'decompression bomb' in plan.reason.lower()


def test_jpeg_with_trailing_bytes_is_reencoded_when_resize_is_on():
    data = small_jpeg() + b'garbage after the end marker'
    assert photo_resize.plan_photo(data, LIMIT, False, EDGE).action == 'refuse'
    plan = photo_resize.plan_photo(data, LIMIT, True, EDGE)
    assert plan.action == 'resize'
    assert decoded(plan.payload).size == (100, 80)


def test_no_limit_keeps_a_big_jpeg():
    data = big_jpeg()
    plan = photo_resize.plan_photo(data, 0, False, EDGE)
    assert plan.action == 'keep' and plan.payload is data


def test_gif_can_be_left_out_of_the_kept_formats():
    plan = photo_resize.plan_photo(small_gif(), LIMIT, True, EDGE, kept_formats=('jpeg',))
    assert plan.action == 'resize'
    assert decoded(plan.payload).size == (64, 64)


@pytest.mark.parametrize('max_photo_bytes, max_edge, option', [
    (-1, 150, 'max_photo_bytes'),
    ('45K', 150, 'max_photo_bytes'),
    (True, 150, 'max_photo_bytes'),
    (46080, 31, 'max_edge'),
    (46080, 0, 'max_edge'),
    (46080, 150.0, 'max_edge'),
])
def test_bad_options_are_named(max_photo_bytes, max_edge, option):
    assert photo_resize.check_options(max_photo_bytes, max_edge).startswith(option)
    with pytest.raises(ValueError, match=option):
        photo_resize.plan_photo(small_jpeg(), max_photo_bytes, True, max_edge)


def test_defaults_follow_hcl():
    assert photo_resize.MAX_PHOTO_BYTES == 45 * 1024
    assert photo_resize.RECOMMENDED_PHOTO_BYTES == 10 * 1024


def test_without_pillow_the_module_imports_and_resize_names_the_fix(monkeypatch):
    for name in [name for name in sys.modules if name == 'PIL' or name.startswith('PIL.')]:
        monkeypatch.delitem(sys.modules, name)
    data, big = small_jpeg(), big_jpeg()
    monkeypatch.setitem(sys.modules, 'PIL', None)  # import PIL now raises ImportError
    name = photo_resize.__name__
    monkeypatch.delitem(sys.modules, name)
    package = sys.modules[name.rpartition('.')[0]]
    monkeypatch.setattr(package, 'photo_resize', photo_resize)  # the import below rebinds it; undone afterwards
    fresh = importlib.import_module(name)
    assert fresh is not photo_resize

    assert fresh.sniff_format(data) == 'jpeg'
    assert fresh.plan_photo(data, LIMIT, False, EDGE).action == 'keep'
    assert fresh.plan_photo(data, LIMIT, True, EDGE).action == 'keep'  # nothing to re-encode: no Pillow needed
    assert fresh.plan_photo(big, LIMIT, False, EDGE).action == 'skip'
    with pytest.raises(fresh.PillowMissing) as caught:
        fresh.plan_photo(big, LIMIT, True, EDGE)
    assert 'resize' in str(caught.value)
    assert 'pip install Pillow' in str(caught.value)
    with pytest.raises(fresh.PillowMissing):
        fresh.import_pillow()


HTTPS_TABLE = [
    ('https://icphotos.acme.example/{mail}.jpg', True),
    ('HTTPS://icphotos.acme.example/{mail}.jpg', True),
    ('  https://icphotos.acme.example/{mail}.jpg', True),
    ('http://icphotos.acme.example/{mail}.jpg', False),
    ('HTTP://icphotos.acme.example/{mail}.jpg', False),
    ('http://icphotos.acme.example/https/{mail}.jpg', False),
    ('', False),
    (None, False),
]


@pytest.mark.parametrize('template, warned', HTTPS_TABLE)
def test_https_template_warning(template, warned):
    warning = photo_resize.https_template_warning(template)
    if warned:
        assert template.strip() in warning
        assert 'must be http, not https' in warning
        assert 'every client type' in warning
    else:
        assert warning is None
