"""Demo names that fit where people live: Sasak names in Lombok (Lalu / Baiq for the nobility), Balinese
birth-order names in Bali (I Wayan, Ni Made …), Mbojo names in Bima and Dompu, Samawa names in Sumbawa,
and for the other provinces of the full demo the names of their main peoples (Acehnese, Batak, Minang,
Malay, Sundanese, Javanese, NTT, Dayak, Banjar, Minahasa, Kaili, Bugis, Buton, Gorontalo, Maluku, Papua).

A name is drawn from a first and a last part for the person's gender (the NIK and NIP the demo makes
encode it too), or now and then is a single name, as many Indonesians carry one name only."""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class NamePool:
    """First and last parts of names, for men and for women."""

    men_first: tuple[str, ...]
    men_last: tuple[str, ...]
    women_first: tuple[str, ...]
    women_last: tuple[str, ...]
    men_alone: tuple[str, ...] = ()  # names that stand alone
    women_alone: tuple[str, ...] = ()

    def draw(self, rng: random.Random, woman: bool) -> str:
        alone = self.women_alone if woman else self.men_alone
        if alone and rng.random() < 0.25:
            return rng.choice(alone)
        first = rng.choice(self.women_first if woman else self.men_first)
        return f"{first} {rng.choice(self.women_last if woman else self.men_last)}"


SASAK = NamePool(  # Lombok: Lalu and Baiq mark the Sasak nobility; many others carry Arabic-Islamic names
    ("Lalu", "Lalu Muhammad", "Muhammad", "Ahmad", "Lalu Ahmad", "Hirwan", "Saparudin"),
    ("Zaini", "Junaidi", "Satriawan", "Hamdani", "Wirahadi", "Sahnan", "Zulkarnain", "Jumarsah"),
    ("Baiq", "Baiq Nurul", "Siti", "Nurul", "Baiq Sri", "Hirni"),
    ("Aini", "Hidayati", "Rahmawati", "Sumiati", "Muliani", "Hasanah", "Rohani", "Wahyuni"),
)
BALINESE = NamePool(  # Bali: a birth-order name after I (men) or Ni (women)
    ("I Wayan", "I Gede", "I Made", "I Kadek", "I Nyoman", "I Komang", "I Ketut", "I Putu"),
    ("Suardana", "Artawan", "Adnyana", "Mahendra", "Wirawan", "Sudarsana", "Budiarta", "Ariawan"),
    ("Ni Luh", "Ni Putu", "Ni Made", "Ni Kadek", "Ni Nyoman", "Ni Komang", "Ni Ketut", "Ni Wayan"),
    ("Sukerti", "Widiastuti", "Purnamasari", "Ayu Lestari", "Suartini", "Sriasih", "Ayu Wulandari", "Sudiani"),
)
MBOJO = NamePool(  # Bima and Dompu: often one name, or a father's name after H. (Haji)
    ("Muhammad", "Abdul", "Syarifuddin", "Rusdin", "Syamsuddin", "Arifin", "Ikhwan"),
    ("Saleh", "Haris", "H. Ahmad", "H. Yasin", "Amin", "Idris", "Hamid"),
    ("Siti", "Sri", "Nur", "Siti Nur"),
    ("Hadijah", "Maryam", "Mulyani", "Rahmah", "Aminah", "Jannah"),
    ("Rusdin", "Jufri", "Syamsuddin", "Ikhwan", "Taufik", "Arifin"),
    ("Nurhayati", "Rostiati", "Ernawati", "Nurjannah", "Aisyah", "Hadijah"),
)
SAMAWA = NamePool(  # Sumbawa
    ("Syahrul", "Jamaluddin", "Hasanuddin", "Zainal", "Lalu", "Dedy"),
    ("Abidin", "Kurniawan", "Arifin", "Budi Satria", "Iskandar"),
    ("Sri", "Nurhasanah", "Dewi", "Siti", "Rabiatul", "Hartini"),
    ("Hartini", "Sumarni", "Adawiyah", "Ramlah"),
)
ACEH = NamePool(
    ("Teuku", "Muhammad", "Zulfikar", "Fadli", "Iskandar", "Rizki"),
    ("Fadli", "Iqbal", "Husaini", "Mahdi", "Maulana"),
    ("Cut", "Nurul", "Intan", "Rahmah", "Cut Nyak", "Siti"),
    ("Rahmah", "Fitri", "Safira", "Hayati", "Meutia", "Zahara"),
)
BATAK = NamePool(
    ("Parlindungan", "Togar", "Halomoan", "Bonar", "Maruli", "Sahat"),
    ("Siregar", "Simanjuntak", "Lubis", "Nasution", "Sitompul", "Hutapea", "Saragih", "Manurung"),
    ("Rosmaida", "Lamtiur", "Dameria", "Tiurma", "Sondang", "Romauli"),
    ("Manurung", "Saragih", "Sitompul", "Siregar", "Pohan", "Tambunan", "Simbolon", "Sinaga"),
)
MINANG = NamePool(
    ("Afrizal", "Yulizar", "Rahmat", "Zulfahmi", "Syafrudin", "Andri"),
    ("Hidayat", "Datuak Bandaro", "Putra", "Effendi", "Chaniago"),
    ("Yusnimar", "Rahmi", "Fitri", "Elvi", "Yulia", "Desi"),
    ("Yeni", "Yanti", "Susanti", "Rahmadani", "Marlina"),
)
MALAY = NamePool(  # Riau, Jambi, South Sumatra, Bengkulu, Lampung, Bangka Belitung, Riau Islands, West Kalimantan
    ("Syahrial", "Zulkarnain", "Azhar", "Raja", "Tengku", "Hamdan"),
    ("Effendi", "Hamzah", "Ismail", "Saputra", "Rahman"),
    ("Siti", "Nurhasanah", "Rosmawati", "Wan", "Tengku", "Zubaidah"),
    ("Zubaidah", "Aisyah", "Rahmawati", "Fatimah", "Safitri"),
)
SUNDANESE = NamePool(  # West Java, Banten, Jakarta
    ("Asep", "Dede", "Ujang", "Cecep", "Agus", "Iwan"),
    ("Saepudin", "Kurnia", "Rahmat", "Sopandi", "Hermawan", "Setiawan"),
    ("Euis", "Neneng", "Iis", "Siti", "Lilis", "Yuyun"),
    ("Komariah", "Hasanah", "Rosita", "Nurhayati", "Suryani", "Yuliani"),
)
JAVANESE = NamePool(
    ("Sugeng", "Bambang", "Joko", "Agus", "Budi", "Eko", "Slamet", "Hendro"),
    ("Riyadi", "Setiawan", "Purnomo", "Santoso", "Prasetyo", "Nugroho", "Wibowo"),
    ("Sri", "Endang", "Tri", "Dwi", "Sulastri", "Dewi", "Wahyu", "Rini"),
    ("Rahayu", "Lestari", "Wahyuningsih", "Handayani", "Kurniawati", "Susanti", "Astuti"),
)
NTT = NamePool(
    ("Yohanes", "Petrus", "Fransiskus", "Yakobus", "Agustinus", "Markus"),
    ("Lado", "Nggadas", "Bria", "Seran", "Ndun", "Manek", "Tefa", "Riwu Kaho"),
    ("Maria", "Yuliana", "Theresia", "Agnes", "Margaretha", "Veronika"),
    ("Goreti Seran", "Ndun", "Bere", "Kolo", "Manafe", "Tallo"),
)
DAYAK = NamePool(  # Central and East Kalimantan
    ("Agustinus", "Yosef", "Hendrikus", "Ardianto", "Petrus", "Markus"),
    ("Taring", "Atan", "Lawing", "Nyaring", "Ding", "Ngabut"),
    ("Rusiani", "Yuliana", "Lusia", "Maria", "Elisabet", "Herlina"),
    ("Dayang", "Ulau", "Lawing", "Bulan", "Ajang"),
)
BANJAR = NamePool(
    ("Gusti", "Muhammad", "Rizal", "Ahmad", "Syahriani", "Akhmad"),
    ("Rahman", "Rizal", "Fauzan", "Yani", "Noor", "Hidayat"),
    ("Siti", "Rusmilawati", "Masliana", "Norhayati", "Gusti", "Rahmah"),
    ("Masliana", "Noorjannah", "Rahmah", "Aulia", "Fitriani"),
)
MINAHASA = NamePool(  # North Sulawesi
    ("Johny", "Frangky", "Jefry", "Steven", "Ronald", "Hendrik"),
    ("Rumengan", "Wowor", "Pangemanan", "Tumbel", "Lumentut", "Mandagi"),
    ("Meiske", "Vonny", "Olvie", "Deisy", "Grace", "Stella"),
    ("Pangemanan", "Tumbel", "Rumengan", "Sondakh", "Wenas", "Lengkong"),
)
KAILI = NamePool(  # Central Sulawesi
    ("Moh.", "Rizal", "Andi", "Syamsul", "Hasan", "Irwan"),
    ("Lamasitudju", "Lasimpo", "Lamakarate", "Bantilan", "Lalusu", "Tombolotutu"),
    ("Nurhayati", "Sitti", "Hasnah", "Fatmawati", "Ratna", "Nurlela"),
    ("Lasimpo", "Bantilan", "Lamasitudju", "Dg. Mapata", "Lalusu"),
)
BUGIS = NamePool(  # South Sulawesi
    ("Andi", "Muhammad", "Andi Baso", "Syamsul", "Abdul", "Ridwan"),
    ("Arfah", "Tenri", "Rahman", "Daeng Ngalle", "Alam", "Mappaseng"),
    ("Andi", "St.", "Nurhaedah", "Hasnawati", "Andi Tenri", "Sitti"),
    ("Nurhaedah", "Rahmatia", "Ajeng", "Mappasessu", "Aisyah"),
)
BUTON = NamePool(  # Southeast Sulawesi: La / Wa Ode for the Buton nobility
    ("La Ode", "La Ode Muhammad", "Muhammad", "Ahmad", "Rusli", "Hasrun"),
    ("Ridwan", "Sahrun", "Hasanuddin", "Ramli", "Alimuddin", "Syaifullah"),
    ("Wa Ode", "Wa Ode Siti", "Hasnia", "Nurlia", "Sitti", "Murni"),
    ("Nurlia", "Hasnia", "Ramlah", "Marliana", "Jumiati"),
)
GORONTALO = NamePool(
    ("Rahmat", "Hamzah", "Ismail", "Yusuf", "Sofyan", "Arifin"),
    ("Mohamad", "Pakaya", "Hasan", "Gobel", "Nusi", "Katili"),
    ("Sri Ningsih", "Nurhayati", "Ratna", "Fatmah", "Yulin", "Sartin"),
    ("Pakaya", "Gobel", "Nusi", "Katili", "Hasan", "Mohamad"),
)
MALUKU = NamePool(
    ("Abraham", "Marthen", "Yusuf", "Ahmad", "Johanis", "Rudolf"),
    ("Latuconsina", "Tuhumury", "Pattiasina", "Sahetapy", "Lessy", "Tuasikal"),
    ("Yohana", "Maria", "Sitti", "Fatimah", "Novita", "Ester"),
    ("Pattiasina", "Latuconsina", "Tuhumury", "Sahetapy", "Ohorella", "Lessy"),
)
PAPUA = NamePool(
    ("Yosias", "Elias", "Markus", "Yohanis", "Agustinus", "Daniel"),
    ("Wonda", "Kogoya", "Rumbiak", "Wenda", "Yoku", "Mandowen"),
    ("Martha", "Selfina", "Yuliana", "Dorkas", "Ribka", "Naomi"),
    ("Rumbiak", "Wenda", "Yoku", "Kogoya", "Wonda", "Ansaka"),
)

# NTB by regency: Lombok (Sasak), Sumbawa (Samawa), Bima and Dompu (Mbojo).
NTB_REGENCIES = {
    "52.01": SASAK,
    "52.02": SASAK,
    "52.03": SASAK,
    "52.08": SASAK,
    "52.71": SASAK,
    "52.04": SAMAWA,
    "52.07": SAMAWA,
    "52.05": MBOJO,
    "52.06": MBOJO,
    "52.72": MBOJO,
}
PROVINCES = {
    "11": ACEH,
    "12": BATAK,
    "13": MINANG,
    "14": MALAY,
    "15": MALAY,
    "16": MALAY,
    "17": MALAY,
    "18": MALAY,
    "19": MALAY,
    "21": MALAY,
    "31": SUNDANESE,
    "32": SUNDANESE,
    "33": JAVANESE,
    "34": JAVANESE,
    "35": JAVANESE,
    "36": SUNDANESE,
    "51": BALINESE,
    "52": SASAK,
    "53": NTT,
    "61": MALAY,
    "62": DAYAK,
    "63": BANJAR,
    "64": DAYAK,
    "65": DAYAK,
    "71": MINAHASA,
    "72": KAILI,
    "73": BUGIS,
    "74": BUTON,
    "75": GORONTALO,
    "76": BUGIS,
    "81": MALUKU,
    "82": MALUKU,
    "91": PAPUA,
    "92": PAPUA,
    "93": PAPUA,
    "94": PAPUA,
    "95": PAPUA,
    "96": PAPUA,
}


def pool_for(region_code: str) -> NamePool:
    """The names of the people of a regency (NTB) or province (elsewhere); Javanese as a fallback."""
    return NTB_REGENCIES.get(region_code[:5]) or PROVINCES.get(region_code[:2], JAVANESE)


def demo_name(rng: random.Random, region_code: str, woman: bool, taken: set[str] | None = None) -> str:
    """A name that fits the region (a regency, district or village code) and the gender; one not yet
    `taken` when a few draws find one (the name is then added to it)."""
    pool = pool_for(region_code)
    name = pool.draw(rng, woman)
    for _ in range(10):
        if taken is None or name not in taken:
            break
        name = pool.draw(rng, woman)
    if taken is not None:
        taken.add(name)
    return name
