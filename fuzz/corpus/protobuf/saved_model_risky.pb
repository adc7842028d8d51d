qo

pPlaceholder
/
prPrintV2* 
output_streamfile:///tmp/x*
(

f
rfReadFile
pyEagerPyFunc