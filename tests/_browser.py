"""Debian's Chromium, headless and offline, driven by selenium: what every browser test starts from (no browser
download)."""
import shutil
from pathlib import Path

CHROMIUM, DRIVER = (shutil.which('chromium') or '/usr/bin/chromium',
                    shutil.which('chromedriver') or '/usr/bin/chromedriver')
FLAGS = ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage',
         '--disable-background-networking',
         '--disable-component-update', '--disable-sync', '--no-first-run',
         # a mouse, as on a desktop (headless has no pointer device): plotly then shows its toolbars on hover, as users
         # see them
         '--blink-settings=primaryHoverType=2,availableHoverTypes=2,primaryPointerType=4,availablePointerTypes=4']


def headless_chromium(width: int, height: int):
    "A selenium driver for a new headless Chromium window of `width` x `height` pixels, with background networking off."
    assert Path(CHROMIUM).exists() and Path(DRIVER).exists(), ("install chromium and chromium-driver (apt), "
                                                               "as `make test` does")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    o = webdriver.ChromeOptions()
    for a in FLAGS + [f'--window-size={width},{height}']: o.add_argument(a)
    o.binary_location = CHROMIUM
    return webdriver.Chrome(service=Service(DRIVER), options=o)
