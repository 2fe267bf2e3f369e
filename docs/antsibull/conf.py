# Copyright: contributors to the sametime.deploy collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# Sphinx configuration of the HTML documentation site (`make docs`, tests/tools/docs.py), started from
# `antsibull-docs sphinx-init --use-current sametime.deploy`. The build runs offline: the one intersphinx inventory
# (ansible_devel, for the links into docs.ansible.com that module pages carry) is written by tests/tools/docs.py
# from the labels the generated pages use, so nothing is fetched.

import os

project = 'sametime.deploy'
copyright = 'sametime.deploy contributors'
title = 'sametime.deploy collection documentation'
html_short_title = 'sametime.deploy'

extensions = ['sphinx.ext.intersphinx', 'sphinx_antsibull_ext', 'myst_parser']
source_suffix = {'.rst': 'restructuredtext', '.md': 'markdown'}
myst_heading_anchors = 3

pygments_style = 'ansible'
highlight_language = 'YAML+Jinja'

html_theme = 'sphinx_ansible_theme'
html_show_sphinx = False
display_version = False
html_use_smartypants = True
html_use_modindex = False
html_use_index = False
html_copy_source = False

# Local inventory only (written by tests/tools/docs.py); intersphinx never downloads.
intersphinx_mapping = {
    'ansible_devel': ('https://docs.ansible.com/projects/ansible/devel/',
                      (os.path.join(os.path.dirname(os.path.abspath(__file__)), 'ansible_devel.inv'),)),
}
intersphinx_disabled_reftypes = []
intersphinx_timeout = 1

default_role = 'any'
nitpicky = True
