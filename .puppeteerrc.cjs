/** Never let `npm install` download a browser: akwaba uses the system Chromium (CHROMIUM_PATH). */
module.exports = { skipDownload: true };
