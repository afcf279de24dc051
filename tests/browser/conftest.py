# The browser fixtures live in shaobao/testing/browser.py, loaded for the whole suite from the
# root conftest.py, so that every browser test shares one Playwright session.
