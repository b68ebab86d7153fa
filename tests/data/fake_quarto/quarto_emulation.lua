-- Quarto behaviour the fake quarto emulates: content-visible divs by output format, and raw
-- HTML tables parsed into real tables for non-HTML formats.
local function is_html() return FORMAT:match("html") ~= nil end

function Div(el)
  if el.classes:includes("content-visible") then
    local when, unless = el.attributes["when-format"], el.attributes["unless-format"]
    if when and ((when == "html") ~= is_html()) then return {} end
    if unless and ((unless == "html") == is_html()) then return {} end
    return el.content
  end
end

function RawBlock(el)
  if el.format == "html" and not is_html() and el.text:match("^%s*<table") then
    return pandoc.read(el.text, "html").blocks
  end
end
